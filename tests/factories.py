"""Factories that go through the services, so test data obeys the same rules as real data."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from fengqiao.accounts.services import user_create
from fengqiao.areas.models import Area, Level
from fengqiao.areas.services import area_create
from fengqiao.core.identifiers import id_check_char
from fengqiao.people.services import person_create

_serial = itertools.count(1)


def make_id_number(*, birth: str = "19800101", male: bool = True, region: str = "150291") -> str:
    """A checksum-valid synthetic ID number, unique within the test run."""
    sequence = next(_serial) % 500
    gender_digit = (sequence * 2 + (1 if male else 0)) % 10
    first17 = f"{region}{birth}{sequence // 5 % 100:02d}{gender_digit}"
    return first17 + id_check_char(first17)


def make_phone() -> str:
    return f"139{next(_serial) * 7919 % 90_000_000 + 10_000_000}"


class AreaFactory(factory.Factory):
    class Meta:
        model = Area

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试区域{n}")
    level = Level.TOWN
    parent = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Area:
        return area_create(actor=None, audit=False, **kwargs)


class UserFactory(factory.Factory):
    class Meta:
        model = dict

    username = factory.Sequence(lambda n: f"user{n}")
    password = "Test-pass-2026"
    full_name = factory.Sequence(lambda n: f"工作人员{n}")
    roles: tuple[str, ...] = ()
    home_area = None
    agency = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        return user_create(actor=None, validate=False, **kwargs)


class PersonFactory(factory.Factory):
    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"居民{n}")
    id_number = factory.LazyFunction(make_id_number)
    phone = factory.LazyFunction(make_phone)
    address = "测试地址"
    area = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        return person_create(actor=None, **kwargs)
