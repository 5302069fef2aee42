"""Finding residents: an exact ID number or phone, a name; only inside the jurisdiction."""

from fengqiao.people.selectors import person_search


def test_exact_id_number_or_phone_finds_the_person(town, residents):
    leader = town.user("leader")
    zhang = residents["a1"]
    assert list(person_search(user=leader, text=zhang.id_number)) == [zhang]
    assert list(person_search(user=leader, text=zhang.phone[:3] + " " + zhang.phone[3:])) == [zhang]
    assert list(person_search(user=leader, text="张")) == [zhang]


def test_search_does_not_reach_outside_the_jurisdiction(town, residents):
    grid_worker = town.user("grid_worker")
    assert list(person_search(user=grid_worker, text=residents["b1"].id_number)) == []
