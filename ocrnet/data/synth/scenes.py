"""The scene kinds and the composer that draws each."""

from __future__ import annotations

from collections.abc import Callable

from ocrnet.data.synth.canvas import Canvas
from ocrnet.data.synth.documents import document_scene
from ocrnet.data.synth.natural import natural_scene
from ocrnet.data.synth.plates import plate_scene
from ocrnet.data.synth.signs import sign_scene
from ocrnet.data.synth.toolkit import Toolkit

COMPOSERS: dict[str, Callable[[Toolkit, int, int], Canvas]] = {
    "scene": natural_scene,
    "sign": sign_scene,
    "plate": plate_scene,
    "document": document_scene,
    "receipt": lambda kit, h, w: document_scene(kit, h, w, receipt=True),
}
