"""Optimistic concurrency (resourceVersion, 409) and generateName."""

from __future__ import annotations

import copy
import threading

import pytest
from kubernetes import client as k8s

from conftest import MERGE_PATCH, rv_int, status_body, write_manifest


def _cm(name: str, **data: str) -> k8s.V1ConfigMap:
    return k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name), data=dict(data))


def test_stale_update_gets_409_conflict(server, ns):
    core = server.core()
    core.create_namespaced_config_map(ns, _cm("occ", v="0"))
    stale = core.read_namespaced_config_map("occ", ns)

    fresh = copy.deepcopy(stale)
    fresh.data = {"v": "1"}
    updated = core.replace_namespaced_config_map("occ", ns, fresh)
    assert rv_int(updated) > rv_int(stale)

    stale.data = {"v": "stale"}
    with pytest.raises(k8s.ApiException) as info:
        core.replace_namespaced_config_map("occ", ns, stale)
    assert info.value.status == 409
    status = status_body(info.value)
    assert status.get("kind") == "Status" and status.get("reason") == "Conflict", status
    assert status.get("code") == 409
    assert "the object has been modified" in status.get("message", ""), status
    assert core.read_namespaced_config_map("occ", ns).data == {"v": "1"}


def test_stale_resource_version_in_patch_and_delete_preconditions(server, ns):
    core = server.core()
    created = core.create_namespaced_config_map(ns, _cm("pre", v="0"))
    old_rv = created.metadata.resource_version
    core.patch_namespaced_config_map("pre", ns, {"data": {"v": "1"}},
                                     _content_type=MERGE_PATCH)

    with pytest.raises(k8s.ApiException) as info:
        core.patch_namespaced_config_map(
            "pre", ns, {"metadata": {"resourceVersion": old_rv}, "data": {"v": "2"}},
            _content_type=MERGE_PATCH)
    assert info.value.status == 409

    with pytest.raises(k8s.ApiException) as info:
        core.delete_namespaced_config_map(
            "pre", ns, body=k8s.V1DeleteOptions(
                preconditions=k8s.V1Preconditions(resource_version=old_rv)))
    assert info.value.status == 409
    assert core.read_namespaced_config_map("pre", ns).data == {"v": "1"}

    current = core.read_namespaced_config_map("pre", ns).metadata.resource_version
    core.delete_namespaced_config_map(
        "pre", ns, body=k8s.V1DeleteOptions(
            preconditions=k8s.V1Preconditions(resource_version=current)))


def test_create_existing_name_gets_409_already_exists(server, ns):
    core = server.core()
    core.create_namespaced_config_map(ns, _cm("dup"))
    with pytest.raises(k8s.ApiException) as info:
        core.create_namespaced_config_map(ns, _cm("dup"))
    assert info.value.status == 409
    assert status_body(info.value).get("reason") == "AlreadyExists"


def test_resource_versions_increase_with_every_write(server, ns):
    core = server.core()
    versions = [rv_int(core.create_namespaced_config_map(ns, _cm("mono", v="0")))]
    for i in range(1, 6):
        versions.append(rv_int(core.patch_namespaced_config_map(
            "mono", ns, {"data": {"v": str(i)}}, _content_type=MERGE_PATCH)))
    versions.append(rv_int(core.create_namespaced_config_map(ns, _cm("mono-2"))))
    assert versions == sorted(versions) and len(set(versions)) == len(versions), versions
    listed = core.list_namespaced_config_map(ns)
    assert int(listed.metadata.resource_version) >= versions[-1]


def test_concurrent_read_modify_write_loses_no_update(server, ns):
    """8 clients each increment a counter 10 times, retrying on 409: the result is 80."""
    core = server.core()
    core.create_namespaced_config_map(ns, _cm("counter", n="0"))
    workers, increments = 8, 10
    conflicts = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            done = 0
            while done < increments:
                obj = core.read_namespaced_config_map("counter", ns)
                obj.data = {"n": str(int(obj.data["n"]) + 1)}
                try:
                    core.replace_namespaced_config_map("counter", ns, obj)
                    done += 1
                except k8s.ApiException as exc:
                    if exc.status != 409:
                        raise
                    conflicts.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    final = core.read_namespaced_config_map("counter", ns)
    assert final.data["n"] == str(workers * increments), (final.data, len(conflicts))


def test_generate_name(server, kubectl, ns, tmp_path):
    core = server.core()
    names = set()
    for _ in range(5):
        obj = core.create_namespaced_config_map(
            ns, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(generate_name="gen-"),
                                data={"a": "b"}))
        assert obj.metadata.name.startswith("gen-") and len(obj.metadata.name) > len("gen-")
        assert obj.metadata.generate_name == "gen-"
        names.add(obj.metadata.name)
    assert len(names) == 5, names
    listed = {i.metadata.name for i in core.list_namespaced_config_map(ns).items}
    assert names <= listed

    manifest = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"generateName": "kc-"}, "data": {"a": "b"}}
    path = write_manifest(tmp_path, "gen.yaml", manifest)
    first = kubectl("create", "-n", ns, "-f", str(path), "-o", "name").stdout.strip()
    second = kubectl("create", "-n", ns, "-f", str(path), "-o", "name").stdout.strip()
    assert first.startswith("configmap/kc-") and second.startswith("configmap/kc-")
    assert first != second
