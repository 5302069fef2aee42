from django.conf import settings


def test_time_zone_language_and_separate_field_key():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.FENGQIAO_FIELD_KEY != settings.SECRET_KEY
