import pytest

from units.directory import Directory, normalize_name
from units.models import Unit, UnitGroup


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("市 人民政府办公室", "市人民政府办公室"),
        ("各县（市、区）人民政府", "各县(市、区)人民政府"),
        ("市公安局等单位", "市公安局"),
        ("市直有关部门等", "市直有关部门"),
        ("\u3000市司法局；", "市司法局"),
        ("", ""),
    ],
)
def test_it_normalizes_names_as_documents_write_them(written, normal):
    assert normalize_name(written) == normal


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "full_name"),
    [
        ("市政府办公室", "聊城市人民政府办公室"),
        ("聊城市人民政府办公室", "聊城市人民政府办公室"),
        ("市 人民政府办公室", "聊城市人民政府办公室"),
        ("市政府办", "聊城市人民政府办公室"),
        ("市发展改革委", "聊城市发展和改革委员会"),
        ("市法院", "聊城市中级人民法院"),
        ("市委编办", "中共聊城市委机构编制委员会办公室"),
        ("东昌府区人民政府", "聊城市东昌府区人民政府"),
        ("聊城经济技术开发区管委会", "聊城经济技术开发区管理委员会"),
    ],
)
def test_it_resolves_every_spelling_of_a_unit(written, full_name):
    assert Directory().resolve(written) == Unit.objects.get(name=full_name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "group", "selective", "size"),
    [
        ("各县(市、区)人民政府", "各县(市、区)人民政府", False, 8),
        ("各县（市、区）政府", "各县(市、区)人民政府", False, 8),
        ("各县市区政府", "各县(市、区)人民政府", False, 8),
        ("市属开发区管委会", "市属开发区管委会", False, 3),
        ("市政府有关部门", "市政府有关部门", True, None),
        ("市有关执法部门", "市政府执法部门", True, None),
    ],
)
def test_it_resolves_group_spellings(written, group, selective, size):
    resolved = Directory().resolve(written)
    assert isinstance(resolved, UnitGroup)
    assert resolved.name == group
    assert resolved.selective is selective
    if size is not None:
        assert resolved.members.count() == size


@pytest.mark.django_db
def test_it_resolves_nothing_for_an_unknown_name():
    assert Directory().resolve("市宇宙探索局") is None


@pytest.mark.django_db
def test_it_loads_the_directory_in_three_queries(django_assert_num_queries):
    with django_assert_num_queries(4):  # units, aliases, groups, group members
        directory = Directory()
    assert len(directory.units) > 100


@pytest.mark.django_db
def test_fixture_has_the_county_governments_and_development_zones():
    counties = set(Unit.objects.filter(kind=Unit.Kind.COUNTY).values_list("short_name", flat=True))
    assert counties == {"东昌府区", "临清市", "茌平区", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"}
    assert Unit.objects.filter(kind=Unit.Kind.DEV_ZONE).count() == 3
    assert Unit.objects.get(short_name="茌平区综合行政执法局").parent.short_name == "茌平区"
