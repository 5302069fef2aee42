from fengqiao.areas.models import Area, Level


def area_form(**fields):
    data = {
        "code": "",
        "name": "",
        "level": "",
        "parent": "",
        "center_lat": "",
        "center_lng": "",
        "boundary": "null",
    }
    data.update(fields)
    return data


def test_the_system_admin_adds_an_area_through_the_service(client, town):
    client.force_login(town.user("system_admin"))
    response = client.post(
        "/admin/areas/area/add/",
        area_form(
            code="33068110020103", name="东村三网格", level=Level.GRID, parent=town.village_a.pk
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grid = Area.objects.get(code="33068110020103")
    assert grid.path.startswith(town.village_a.path)


def test_a_unit_under_the_town_is_refused_in_the_admin(client, town):
    client.force_login(town.user("system_admin"))
    body = client.post(
        "/admin/areas/area/add/",
        area_form(code="BAD1", name="错位单元", level=Level.UNIT, parent=town.town.pk),
    ).content.decode()
    assert "单元应直接隶属于网格" in body
    assert not Area.objects.filter(code="BAD1").exists()


def test_a_duplicate_code_is_refused_in_the_admin(client, town):
    client.force_login(town.user("system_admin"))
    body = client.post(
        "/admin/areas/area/add/",
        area_form(code=town.village_b.code, name="重复", level=Level.VILLAGE, parent=town.town.pk),
    ).content.decode()
    assert "编码已被其他区域使用" in body
    assert Area.objects.filter(code=town.village_b.code).count() == 1


def test_moving_a_grid_in_the_admin_moves_its_units(client, town):
    client.force_login(town.user("system_admin"))
    response = client.post(
        f"/admin/areas/area/{town.grid_a2.pk}/change/",
        area_form(code=town.grid_a2.code, name=town.grid_a2.name, parent=town.village_b.pk),
    )
    assert response.status_code == 302
    unit = Area.objects.get(pk=town.unit_a2.pk)
    assert unit.path.startswith(Area.objects.get(pk=town.village_b.pk).path)


def test_each_administrator_stays_in_their_lane(client, town):
    client.force_login(town.user("security_admin"))
    assert client.get("/admin/areas/area/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/audit/auditevent/").status_code == 403
    client.force_login(town.user("audit_admin"))
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403


def test_everyday_roles_do_not_reach_the_admin(client, town):
    client.force_login(town.user("leader"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_security_admin_cannot_combine_an_admin_role(client, town):
    client.force_login(town.user("security_admin"))
    user = town.user("dispatcher")
    body = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "full_name": user.full_name,
            "is_active": "on",
            "roles": ["dispatcher", "audit_admin"],
            "home_area": town.town.pk,
            "agency": "",
        },
    ).content.decode()
    assert "管理员不兼任其他角色" in body
    assert user.role_grants.count() == 1
