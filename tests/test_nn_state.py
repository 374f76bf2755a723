"""Saving and loading: a round trip, and every bad file leaves the model exactly as it was."""

from __future__ import annotations

import json
import os
import random

import pytest

from nn import MLP, Neuron, StateError


def model():
    return MLP(2, [3, 1], output_activation="sigmoid", rng=random.Random(0))


def test_round_trip(tmp_path):
    a = model()
    path = tmp_path / "m.json"
    a.save(path)
    b = MLP(2, [3, 1], output_activation="sigmoid", rng=random.Random(99))
    assert b.state_dict() != a.state_dict()
    b.load(path)
    assert b.state_dict() == a.state_dict()  # floats survive JSON exactly
    assert b([0.3, -0.2]).data == a([0.3, -0.2]).data
    assert json.loads(path.read_text())["model"]["sizes"] == [2, 3, 1]


def good_file():
    m = model()
    return {"format": "backprop-lab model", "version": 1, "model": m.describe(),
            "parameters": m.state_dict()}


def edited(change):
    data = good_file()
    change(data)
    return json.dumps(data)


BAD_FILES = {
    "broken JSON": ('{"format": "backprop-lab model", ', "not valid JSON"),
    "another JSON file": (json.dumps({"name": "x"}), "is not a saved model"),
    "a JSON list": ("[1, 2]", "is not a saved model"),
    "another shape": (edited(lambda d: d["model"].update(sizes=[2, 4, 1])), "holds a model"),
    "another activation": (edited(lambda d: d["model"].update(activations=["relu", "tanh"])),
                           "holds a model"),
    "a missing key": (edited(lambda d: d["parameters"].pop("layer2.neuron1.b")),
                      "missing parameter 'layer2.neuron1.b'"),
    "an unexpected key": (edited(lambda d: d["parameters"].update(extra=1.0)),
                          "unexpected parameter 'extra'"),
    "a string": (edited(lambda d: d["parameters"].update({"layer1.neuron3.w2": "0.5"})),
                 "'layer1.neuron3.w2' must be a finite number"),
    "a boolean": (edited(lambda d: d["parameters"].update({"layer1.neuron1.b": True})),
                  "must be a finite number"),
    "NaN": (edited(lambda d: d["parameters"].update({"layer2.neuron1.w1": float("nan")})),
            "must be a finite number"),
    "no parameters": (edited(lambda d: d.pop("parameters")), "a state must be a dict"),
    "an integer too large for a float": (
        edited(lambda d: d["parameters"].update({"layer1.neuron1.w1": 10**400})),
        "must be a finite number"),
    "JSON nested too deeply": ("[" * 100_000 + "]" * 100_000, "is not a saved model"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_raises_and_changes_nothing(tmp_path, case):
    text, message = BAD_FILES[case]
    path = tmp_path / "bad.json"
    path.write_text(text)
    m = MLP(2, [3, 1], output_activation="sigmoid", rng=random.Random(5))
    before = m.state_dict()
    with pytest.raises(StateError, match=message):
        m.load(path)
    assert m.state_dict() == before


def test_missing_and_binary_files(tmp_path):
    m = model()
    before = m.state_dict()
    with pytest.raises(StateError, match="cannot read"):
        m.load(tmp_path / "nowhere.json")
    binary = tmp_path / "weights.bin"
    binary.write_bytes(b"\x80\x04\x95 not json \xff")
    with pytest.raises(StateError):
        m.load(binary)
    assert m.state_dict() == before


def test_load_state_dict_checks_all_before_assigning():
    n = Neuron(2, rng=random.Random(0))
    before = n.state_dict()
    with pytest.raises(StateError, match="'b' must be a finite number"):
        n.load_state_dict({"w1": 5.0, "w2": 6.0, "b": "x"})
    assert n.state_dict() == before


def test_saving_non_finite_weights_refuses_and_writes_nothing(tmp_path):
    n = Neuron(1)
    n.w[0].data = float("inf")
    path = tmp_path / "n.json"
    with pytest.raises(ValueError):
        n.save(path)
    assert not path.exists()


def test_saving_to_a_folder_or_a_missing_folder_is_one_line_naming_the_path(tmp_path):
    n = Neuron(2, rng=random.Random(0))
    with pytest.raises(IsADirectoryError) as error:
        n.save(tmp_path)
    assert str(error.value) == (f"{tmp_path} is a folder: give a file name in it, e.g. "
                                f"{tmp_path / 'model.json'}")
    with pytest.raises(FileNotFoundError) as error:
        n.save(tmp_path / "no" / "n.json")
    assert str(error.value) == (f"cannot write {tmp_path / 'no' / 'n.json'}: the folder "
                                f"{tmp_path / 'no'} does not exist")
    assert os.listdir(tmp_path) == []


def test_a_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "n.json"
    Neuron(2, rng=random.Random(0)).save(path)
    old = path.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)  # the last step of a whole write
    with pytest.raises(KeyboardInterrupt):
        Neuron(2, rng=random.Random(1)).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["n.json"]
