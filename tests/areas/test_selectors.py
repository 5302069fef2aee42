"""Reading the tree: everything under an area is one range condition on an index."""

from django.db import connection

from fengqiao.areas.selectors import area_descendants, area_level_counts


def names(queryset):
    return sorted(area.name for area in queryset)


def test_everything_under_a_village(town):
    assert names(area_descendants(root=town.village_a)) == sorted(
        ["东村", "东村一网格", "东村二网格", "东村1组", "东村2组"]
    )
    assert area_level_counts(root=town.town) == {1: 1, 2: 2, 3: 3, 4: 3}


def test_subtree_is_one_query_on_an_index(town):
    queryset = area_descendants(root=town.village_a)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan
    assert "path" in plan
