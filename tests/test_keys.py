from cnam import keys
from tests.conftest import RUN_PREFIX


async def test_person_keys_share_prefix_and_end_with_chat(redis) -> None:
    key = keys.person_key("profile", 42)
    assert key == f"{RUN_PREFIX}:profile:42"
    await redis.set(key, "x", ex=60)
    found = [k async for k in redis.scan_iter(match=keys.person_pattern(42))]
    assert found == [key]
