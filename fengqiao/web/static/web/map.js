// The grid map (网格地图): the town's villages and grids as polygons (units as small dots
// when close enough), open cases and a day's log entries as clustered circle markers, on
// the tile source of the settings or, with none, on a plain background.
//
// Every element .fq-map is a map, described by the JSON block its data-map-config names
// (rendered by web/_map.html with json_script: the page carries no inline script). Maps
// are made in htmx.onLoad (so content swapped in gets its map too), removed before an
// element is made again or when htmx cleans it up, and resized with the window.
// Colours come from the CSS custom properties of .fq-map-block, which the legend shares.
// Circle markers, not Leaflet's default icon: its image path breaks under hashed static
// file names.
(function () {
  "use strict";

  var live = [];
  var UNITS_FROM_ZOOM = 15;

  function css(el, name, fallback) {
    var value = window.getComputedStyle(el).getPropertyValue(name).trim();
    return value || fallback;
  }

  function line(text, className) {
    var node = document.createElement("div");
    if (className) node.className = className;
    node.textContent = text;
    return node;
  }

  // Popups are built from text nodes: names and titles never become markup.
  function popup(title, lines, link) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(line(title, "map-popup-title"));
    lines.forEach(function (text) {
      if (text) box.appendChild(line(text));
    });
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      box.appendChild(anchor);
    }
    return box;
  }

  function urlFor(template, id) {
    return template.replace(/\/0\/$/, "/" + encodeURIComponent(id) + "/");
  }

  function load(url, signal) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
      signal: signal,
    }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  // Points close together make one cluster, coloured by its layer (cases, log entries) so
  // that the two are told apart before they are opened; its count is a number only.
  function clusters(kind) {
    // No animation: circle markers have no icon to fade or slide.
    return L.markerClusterGroup({
      animate: false,
      animateAddingMarkers: false,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      iconCreateFunction: function (cluster) {
        var count = cluster.getChildCount();
        return L.divIcon({
          html: "<span>" + String(Number(count)) + "</span>",
          className: "map-cluster map-cluster-" + kind,
          iconSize: L.point(34, 34),
        });
      },
    });
  }

  function areaLayer(el, config, data) {
    var labels = config.labels;
    var styles = {
      1: { color: css(el, "--map-town", "#5b4a3a"), weight: 3, dashArray: "8 6", fill: false },
      2: { color: css(el, "--map-village", "#2f5d8a"), weight: 2, fillOpacity: 0.06 },
      3: { color: css(el, "--map-grid", "#6b8fb3"), weight: 1, fillOpacity: 0.08 },
    };
    var unitColour = css(el, "--map-unit", "#7a7a7a");
    var polygons = L.geoJSON(null, {
      filter: function (feature) {
        return feature.geometry.type !== "Point";
      },
      style: function (feature) {
        var level = feature.properties.level;
        var style = styles[level] || styles[3];
        return L.extend({ className: "map-area map-level-" + level }, style);
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(function () {
          return popup(p.name, [labels.levels[p.level]], {
            href: urlFor(config.urls.area, p.id),
            text: labels.open_area,
          });
        });
      },
    });
    var units = L.geoJSON(null, {
      filter: function (feature) {
        return feature.geometry.type === "Point";
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 3,
          weight: 1,
          color: unitColour,
          fillOpacity: 0.6,
          className: "map-unit",
        });
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name);
      },
    });
    polygons.addData(data);
    units.addData(data);
    return { polygons: polygons, units: units, count: data.features.length };
  }

  function caseLayer(el, config, data) {
    var labels = config.labels;
    var colours = {
      open: css(el, "--map-case", "#c0392b"),
      overdue: css(el, "--map-case-overdue", "#7b1fa2"),
    };
    var group = clusters("cases");
    L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var overdue = feature.properties.overdue;
        return L.circleMarker(latlng, {
          radius: 7,
          weight: 2,
          color: "#ffffff",
          fillColor: overdue ? colours.overdue : colours.open,
          fillOpacity: 0.9,
          className: "map-case" + (overdue ? " map-case-overdue" : ""),
        });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(function () {
          return popup(p.number + " " + p.title, [
            p.kind_label + " · " + p.state_label,
            p.overdue ? labels.overdue : "",
            p.area + (p.located === "area" ? " · " + labels.at_area_centre : ""),
          ], { href: urlFor(config.urls.case, p.id), text: labels.open_case });
        });
      },
    }).eachLayer(function (layer) {
      group.addLayer(layer);
    });
    return { layer: group, count: data.features.length };
  }

  function logLayer(el, config, data) {
    var labels = config.labels;
    var colours = {
      nothing: css(el, "--map-log", "#2e7d32"),
      found: css(el, "--map-log-finding", "#ef6c00"),
    };
    var group = clusters("logs");
    L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var found = feature.properties.finding !== "nothing";
        return L.circleMarker(latlng, {
          radius: 6,
          weight: 2,
          color: "#ffffff",
          fillColor: found ? colours.found : colours.nothing,
          fillOpacity: 0.9,
          className: "map-log" + (found ? " map-log-finding" : ""),
        });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(function () {
          return popup(p.time + " " + p.author, [
            p.finding_label + (p.settled_on_spot ? " · " + labels.settled_on_spot : ""),
            p.area + (p.located === "area" ? " · " + labels.at_area_centre : ""),
          ], p.case ? { href: urlFor(config.urls.case, p.case), text: labels.open_case } : null);
        });
      },
    }).eachLayer(function (layer) {
      group.addLayer(layer);
    });
    return { layer: group, count: data.features.length };
  }

  function showUnits(state) {
    var wanted = state.shown.areas && state.map.getZoom() >= UNITS_FROM_ZOOM;
    if (!state.units) return;
    if (wanted && !state.map.hasLayer(state.units)) state.map.addLayer(state.units);
    if (!wanted && state.map.hasLayer(state.units)) state.map.removeLayer(state.units);
  }

  function toggle(state, name, on) {
    state.shown[name] = on;
    var layer = state.layers[name];
    if (layer) {
      if (on && !state.map.hasLayer(layer)) state.map.addLayer(layer);
      if (!on && state.map.hasLayer(layer)) state.map.removeLayer(layer);
    }
    if (name === "areas") showUnits(state);
  }

  function dispose(el) {
    var state = el._fqMap;
    if (!state) return;
    state.abort.abort();
    state.map.remove();
    el._fqMap = null;
    live = live.filter(function (other) {
      return other !== el;
    });
  }

  function init(el) {
    if (typeof L === "undefined") return;
    dispose(el);
    var config = JSON.parse(document.getElementById(el.dataset.mapConfig).textContent);
    var tiles = config.tiles;
    var map = L.map(el, {
      center: config.center,
      zoom: config.zoom,
      // The clusters need it; with no tile layer nothing else would set it.
      maxZoom: tiles.max_zoom,
      attributionControl: tiles.urls.length > 0,
    });
    if (tiles.urls.length) {
      map.attributionControl.setPrefix(false);
      tiles.urls.forEach(function (url, index) {
        var options = { maxZoom: tiles.max_zoom, tk: tiles.key };
        if (tiles.subdomains) options.subdomains = tiles.subdomains;
        if (index === 0 && tiles.attribution) options.attribution = tiles.attribution;
        L.tileLayer(url, options).addTo(map);
      });
    } else {
      el.classList.add("fq-map-plain");
    }
    var block = el.closest(".fq-map-block") || el.parentNode;
    var state = {
      map: map,
      layers: {},
      units: null,
      shown: {},
      abort: new AbortController(),
    };
    block.querySelectorAll("[data-map-layer]").forEach(function (box) {
      state.shown[box.dataset.mapLayer] = box.checked;
      box.onchange = function () {
        toggle(state, box.dataset.mapLayer, box.checked);
      };
    });
    config.layers.forEach(function (name) {
      if (!(name in state.shown)) state.shown[name] = true;
    });
    el._fqMap = state;
    live.push(el);
    map.on("zoomend", function () {
      showUnits(state);
    });
    el.dataset.mapState = "loading";

    var builders = { areas: areaLayer, cases: caseLayer, logs: logLayer };
    var requests = config.layers.map(function (name) {
      return load(config.urls[name], state.abort.signal).then(function (data) {
        if (el._fqMap !== state) return;
        var built = builders[name](el, config, data);
        if (name === "areas") {
          state.layers.areas = built.polygons;
          state.units = built.units;
          var bounds = built.polygons.getBounds();
          if (!bounds.isValid()) bounds = built.units.getBounds();
          // At once, not animated: the markers already drawn follow in the same step.
          if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
        } else {
          state.layers[name] = built.layer;
        }
        el.dataset["map" + name.charAt(0).toUpperCase() + name.slice(1)] = String(built.count);
        toggle(state, name, state.shown[name]);
      });
    });
    Promise.all(requests).then(
      function () {
        if (el._fqMap === state) el.dataset.mapState = "ready";
      },
      function (error) {
        if (el._fqMap !== state || error.name === "AbortError") return;
        el.dataset.mapState = "failed";
        el.dataset.mapError = String(error && error.stack || error);
        var note = block.querySelector("[data-map-failed]");
        if (note) note.hidden = false;
      }
    );
  }

  function scan(root) {
    var found = [];
    if (root.matches && root.matches(".fq-map")) found.push(root);
    if (root.querySelectorAll) {
      root.querySelectorAll(".fq-map").forEach(function (el) {
        found.push(el);
      });
    }
    found.forEach(init);
  }

  if (window.htmx) {
    window.htmx.onLoad(scan);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      scan(document);
    });
  }
  // Content htmx is about to remove takes its map with it.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    if (event.target._fqMap) dispose(event.target);
  });

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      live.forEach(function (el) {
        if (el._fqMap) el._fqMap.map.invalidateSize();
      });
    }, 150);
  });

  window.fqMap = { init: init, dispose: dispose };
})();
