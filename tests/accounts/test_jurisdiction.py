"""Who sees what: each role × a resident at home / in the sibling grid / in another village."""

import pytest
from django.core.exceptions import ValidationError

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability, Role
from fengqiao.accounts.services import user_set_roles
from fengqiao.areas.models import Area
from fengqiao.audit.models import AuditEvent
from fengqiao.people.selectors import person_list_for_user
from tests.fixtures import UserFactory

OK, HIDDEN = 200, 404

# role: (resident in own node, resident in sibling grid A2, resident in village B)
PERSON_MATRIX = {
    Role.LEADER: (OK, OK, OK),
    Role.INTAKE_CLERK: (OK, OK, OK),
    Role.DISPATCHER: (OK, OK, OK),
    Role.MEDIATOR: (OK, OK, OK),
    Role.GRID_WORKER: (OK, HIDDEN, HIDDEN),
    Role.UNIT_HEAD: (OK, HIDDEN, HIDDEN),
    Role.VILLAGE_CADRE: (OK, OK, HIDDEN),
    Role.AGENCY_LIAISON: (HIDDEN, HIDDEN, HIDDEN),
    Role.SYSTEM_ADMIN: (HIDDEN, HIDDEN, HIDDEN),
    Role.SECURITY_ADMIN: (HIDDEN, HIDDEN, HIDDEN),
    Role.AUDIT_ADMIN: (HIDDEN, HIDDEN, HIDDEN),
}

# role: (own home area, sibling grid A2, village B)
AREA_MATRIX = {
    Role.LEADER: (OK, OK, OK),
    Role.INTAKE_CLERK: (OK, OK, OK),
    Role.DISPATCHER: (OK, OK, OK),
    Role.MEDIATOR: (OK, OK, OK),
    Role.GRID_WORKER: (OK, HIDDEN, HIDDEN),
    Role.UNIT_HEAD: (OK, HIDDEN, HIDDEN),
    Role.VILLAGE_CADRE: (OK, OK, HIDDEN),
    Role.AGENCY_LIAISON: (OK, OK, OK),
    Role.SYSTEM_ADMIN: (HIDDEN, HIDDEN, HIDDEN),
    Role.SECURITY_ADMIN: (HIDDEN, HIDDEN, HIDDEN),
    Role.AUDIT_ADMIN: (HIDDEN, HIDDEN, HIDDEN),
}


@pytest.mark.parametrize("role", list(PERSON_MATRIX))
def test_person_pages_by_role(client, town, residents, role):
    client.force_login(town.user(role))
    seen = tuple(
        client.get(f"/people/{residents[key].pk}/").status_code for key in ("a1", "a2", "b1")
    )
    assert seen == PERSON_MATRIX[role]


@pytest.mark.parametrize("role", list(AREA_MATRIX))
def test_area_pages_by_role(client, town, role):
    user = town.user(role)
    client.force_login(user)
    targets = (user.home_area, town.grid_a2, town.village_b)
    seen = tuple(client.get(f"/areas/{area.pk}/").status_code for area in targets)
    assert seen == AREA_MATRIX[role]


@pytest.mark.parametrize("role", list(PERSON_MATRIX))
def test_person_list_shows_exactly_the_visible_residents(client, town, residents, role):
    client.force_login(town.user(role))
    response = client.get("/people/")
    if PERSON_MATRIX[role] == (HIDDEN, HIDDEN, HIDDEN):
        assert response.status_code == 403
        return
    body = response.content.decode()
    for key, expected in zip(("a1", "a2", "b1"), PERSON_MATRIX[role], strict=True):
        assert (residents[key].name in body) == (expected == OK), key


def test_a_refused_look_is_audited(client, town, residents):
    grid_worker = town.user(Role.GRID_WORKER)
    client.force_login(grid_worker)
    assert client.get(f"/people/{residents['b1'].pk}/").status_code == 404
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor == grid_worker
    assert event.outcome == "denied"
    assert event.target_id == str(residents["b1"].pk)


def test_a_missing_object_is_a_404_too(client, town):
    client.force_login(town.user(Role.LEADER))
    assert client.get("/people/999999/").status_code == 404


def test_the_area_picker_only_offers_areas_in_scope(client, town):
    client.force_login(town.user(Role.GRID_WORKER))
    body = client.get("/areas/picker/", {"q": "村"}).content.decode()
    assert "东村一网格" in body
    assert "东村二网格" not in body
    assert "西村" not in body
    body = client.get("/areas/picker/", {"q": "3306811002010101"}).content.decode()
    assert "东村1组" in body


ADMIN_ROLES = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]


@pytest.mark.parametrize(
    ("admin_role", "other"),
    [(admin, other) for admin in ADMIN_ROLES for other in Role if other != admin],
)
def test_administrator_roles_exclude_everything_else(town, admin_role, other):
    user = town.user(Role.DISPATCHER)
    with pytest.raises(ValidationError):
        user_set_roles(actor=None, user=user, roles=[admin_role, other])
    assert user.roles == frozenset({Role.DISPATCHER})


def test_roles_can_be_combined_for_everyday_work(town):
    user = town.user(Role.DISPATCHER)
    user_set_roles(
        actor=town.user(Role.SECURITY_ADMIN), user=user, roles=[Role.DISPATCHER, Role.INTAKE_CLERK]
    )
    assert user.roles == {Role.DISPATCHER, Role.INTAKE_CLERK}
    event = AuditEvent.objects.filter(action="account.roles_changed").latest("id")
    assert event.details["after"] == sorted([Role.DISPATCHER, Role.INTAKE_CLERK])


def test_overseers_are_the_holders_whose_home_area_contains_the_area(town):
    from fengqiao.accounts.jurisdiction import Overseers

    west = UserFactory(
        username="west_dispatcher", roles=[Role.DISPATCHER], home_area=town.village_b
    )
    gone = UserFactory(username="gone_dispatcher", roles=[Role.DISPATCHER], home_area=town.town)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    dispatchers = Overseers.of(Role.DISPATCHER)
    centre = town.user("dispatcher")

    assert dispatchers.over(town.unit_a1.path) == {centre.pk}
    assert dispatchers.over(town.unit_b1.path) == {centre.pk, west.pk}
    assert dispatchers.over(town.village_b.path) == {centre.pk, west.pk}
    assert dispatchers.over(town.town.path) == {centre.pk}


def test_the_scope_check_in_python_decides_as_the_database_filter(town, residents):
    """`path_in_scope` serves registration, which has the area's path in hand; it must
    agree with `scope_by_area` for every user and node (and every resident)."""
    areas = list(Area.objects.all())
    for user in town.users.values():
        visible = set(jurisdiction.areas_visible(user).values_list("pk", flat=True))
        for area in areas:
            assert jurisdiction.path_in_scope(
                user, area.path, capability=Capability.VIEW_AREAS
            ) == (area.pk in visible), (user.username, area.name)
        people = set(person_list_for_user(user=user).values_list("pk", flat=True))
        for person in residents.values():
            assert jurisdiction.path_in_scope(
                user, person.area.path, capability=Capability.VIEW_PEOPLE
            ) == (person.pk in people), (user.username, person.name)
