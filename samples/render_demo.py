#!/usr/bin/python3
"""Renders the Demo target's clip: vehicles with plates of several regions driving towards a roadside camera.

    /usr/bin/python3 samples/render_demo.py [--out artifacts/demo/plates.mp4] [--list]

Writes a 1280x720, 25 fps H.264 (yuv420p) clip and, beside it, a text file of the same name with the
extension .txt listing each vehicle's plate (canonical text, as in ../shared/data/README.md) and when it is
in view. The plates come from the project's own renderer (training/platereader, imported, not copied); the
road and the vehicles are drawn here. Everything is seeded, so the same fonts, Python packages and ffmpeg
give the same clip. `--list` prints the plates without rendering.

Camera model: a pinhole camera on a 3.6 m pole beside the lane, looking down the road, with the horizon
above the top of the picture. A point h metres above the road, u metres across it, at distance Z is drawn
at x = VP_X + s * (u - CAMERA_X), y = VP_Y + s * (CAMERA_HEIGHT - h), with s = FOCAL / Z pixels per metre.
Vehicles drive towards the camera at a steady speed, so each plate enters at the top about 140 px wide,
grows to about 250 px, and leaves at the bottom left, as on a real ANPR camera.

Needs Debian's python3-numpy, python3-opencv, python3-pil, the fonts of fonts-farsiweb, fonts-noto-core and
fonts-dejavu-core, and ffmpeg with libx264.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

try:
    import cv2
    import numpy as np
    from PIL import Image, ImageDraw
except ImportError as e:
    sys.exit(f"render_demo.py needs python3-numpy, python3-opencv and python3-pil ({e.name} is missing): "
             "apt-get install python3-numpy python3-opencv python3-pil")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "training"))

import random  # noqa: E402  (the plate renderer draws from the random module; seeded per vehicle)

from platereader import fonts, synth_ir, synth_latin  # noqa: E402

WIDTH, HEIGHT, FPS = 1280, 720, 25

# Camera (see the module doc): vanishing point above the picture, camera 1.5 m right of the lane's centre.
VP_X, VP_Y = 1150.0, -838.0
CAMERA_HEIGHT = 3.57
CAMERA_X = 1.5
FOCAL = 4000.0

# A plate is 520 x 110 mm (EU, Iran, Russia, Kazakhstan alike); its centre 0.40 m above the road. Cars are
# 1.8 m wide and 1.45 m tall.
PLATE_W, PLATE_H, PLATE_Y = 0.52, 0.11, 0.40
HALF, ROOF = 0.9, 1.45
# Vehicles are drawn once at this scale (pixels per metre) and scaled down per frame; plates leave the picture
# before a vehicle is closer than this, so a plate is never enlarged.
SPRITE_SCALE = 500.0
PYRAMID_STEP = 0.85

FIRST_PLATE = 1.2      # seconds: the first plate comes into view
PLATE_SECONDS = 2.0    # how long each plate is in view (sets the speed, about 12 km/h)
GAP_SECONDS = 1.4      # no plate in view between two vehicles: longer than Tracking:MaxGap (1 s)

# Camera imperfections: exposure as a fraction of the frame time (motion smear), lens/sensor softness
# (Gaussian sigma, px) and sensor noise (gray levels, standard deviation); H.264 adds its own.
SHUTTER = 0.08
LENS_BLUR = 0.5
NOISE = 2.5

# Fonts: one plate-like face per script, from the packages Setup installs, so the clip does not change with
# the optional training fonts.
IR_FONT = "truetype/farsiweb/titr.ttf"
LATIN_FONT = "truetype/dejavu/DejaVuSansCondensed-Bold.ttf"

# (region, seed, body colour RGB, lateral offset in metres, Iranian plate text or None for the seed's text).
# Iranian texts use letters of real plates (the renderer can also draw six that only training sees). The Latin
# seeds were fixed before any replay: the first two from 101 whose text is in its region's usual current format
# (Kazakhstan DDDLLLDD, Russia LDDDLLDD(D)), and for generic Latin plates the first two with letters and digits
# and none of I, O, Q (which many countries leave out as too like 1 and 0).
VEHICLES = [
    ("ir", 1, (225, 228, 230), 0.00, "68\u063541722"),     # 68ص41722
    ("kz", 101, (40, 60, 110), 0.15, None),
    ("ru", 101, (150, 25, 30), -0.10, None),
    ("latin", 101, (70, 72, 75), 0.10, None),
    ("ir", 2, (190, 192, 195), -0.15, "35\u062c91210"),    # 35ج91210
    ("kz", 102, (20, 22, 24), 0.05, None),
    ("ru", 102, (200, 200, 185), 0.10, None),
    ("latin", 103, (40, 90, 60), -0.05, None),
]

LATIN_RENDERERS = {"kz": synth_latin.render_kz, "ru": synth_latin.render_ru, "latin": synth_latin.render_eu}


def pin_fonts():
    """Make the plate renderer draw with IR_FONT and LATIN_FONT instead of a random installed face."""
    ir_font, latin_font = fonts.available([IR_FONT]), fonts.available([LATIN_FONT])
    if not (hasattr(synth_ir, "_PERSIAN") and hasattr(synth_latin, "_F")):
        raise RuntimeError("training/platereader no longer keeps its font lists in synth_ir._PERSIAN and "
                           "synth_latin._F; update pin_fonts() in samples/render_demo.py")
    synth_ir._PERSIAN, synth_ir._SYMBOL = ir_font, fonts.available(fonts.SYMBOL_FONTS)
    synth_latin._F["latin"] = latin_font


def render_plate(region, seed, text):
    """(RGB plate image, canonical text) from the project's renderer, seeded."""
    random.seed(seed)
    np.random.seed(seed)
    return synth_ir.render(text) if region == "ir" else LATIN_RENDERERS[region]()


# ---------------------------------------------------------------- geometry


def scale_at(z):
    return FOCAL / z


def screen(s, u, h):
    """Picture position of a point u metres across and h metres up, at scale s."""
    return VP_X + s * (u - CAMERA_X), VP_Y + s * (CAMERA_HEIGHT - h)


def scale_where(h, y):
    """The scale at which a point h metres up is drawn at row y."""
    return (y - VP_Y) / (CAMERA_HEIGHT - h)


class Vehicle:
    def __init__(self, region, seed, colour, offset, text, enters):
        self.region, self.offset = region, offset
        self.plate, self.text = render_plate(region, seed, text)
        self.sprites = pyramid(draw_vehicle(colour, self.plate))
        # The plate is in view from its top edge crossing row 0 to its bottom edge crossing the last row.
        self.enters, self.leaves = enters, enters + PLATE_SECONDS
        z_in = FOCAL / scale_where(PLATE_Y + PLATE_H / 2, 0)
        z_out = FOCAL / scale_where(PLATE_Y - PLATE_H / 2, HEIGHT)
        self.speed = (z_in - z_out) / PLATE_SECONDS
        self.z_in = z_in
        # Drawn from the frame its wheels reach row 0 until its roof has left the bottom row.
        self.first = self.time_at(FOCAL / scale_where(0.0, 0))
        self.last = self.time_at(FOCAL / scale_where(ROOF, HEIGHT))

    def z(self, t):
        return self.z_in - self.speed * (t - self.enters)

    def time_at(self, z):
        return self.enters + (self.z_in - z) / self.speed


# ---------------------------------------------------------------- drawing

def shade(colour, k):
    return tuple(int(np.clip(c * k, 0, 255)) for c in colour)


def draw_vehicle(colour, plate):
    """Front view of a car, drawn at SPRITE_SCALE px/m, 2x supersampled. RGBA; the anchor (road level, centre)
    is at the bottom centre of the sprite's car part, which has a 0.1 m shadow strip below it."""
    ss = 2
    k = SPRITE_SCALE * ss
    margin = 0.12  # mirrors stick out
    w = int(round((2 * (HALF + margin)) * k))
    h = int(round((ROOF + 0.1) * k))
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img, "RGBA")

    def p(u, y):  # metres (u across from the centre, y up from the road) -> sprite pixels
        return ((u + HALF + margin) * k, (ROOF - y) * k)

    def box(u0, y0, u1, y1, fill, radius=0.0):
        (x0, yy1), (x1, yy0) = p(u0, y0), p(u1, y1)
        d.rounded_rectangle([x0, yy0, x1, yy1], radius=radius * k, fill=fill)

    body, dark, light = colour + (255,), shade(colour, 0.7) + (255,), shade(colour, 1.12) + (255,)
    tyre, glass, chrome, lamp = (18, 18, 20, 255), (38, 48, 60, 255), (215, 220, 222, 255), (245, 245, 235, 255)
    # Shadow on the road (half transparent), tyres, front face, bonnet, windscreen with a reflection, roof edge.
    d.ellipse([*p(-HALF - 0.08, 0.06), *p(HALF + 0.08, -0.1)], fill=(0, 0, 0, 120))
    for side in (-1, 1):
        box(side * 0.72 - 0.12, -0.02, side * 0.72 + 0.12, 0.36, tyre, 0.05)
    box(-HALF, 0.14, HALF, 0.86, body, 0.12)
    d.polygon([p(-HALF + 0.02, 0.84), p(HALF - 0.02, 0.84), p(HALF - 0.12, 0.96), p(-HALF + 0.12, 0.96)], fill=light)
    d.polygon([p(-0.78, 0.95), p(0.78, 0.95), p(0.6, 1.36), p(-0.6, 1.36)], fill=glass)
    d.polygon([p(-0.7, 0.98), p(-0.3, 0.98), p(-0.05, 1.33), p(-0.5, 1.33)], fill=(90, 105, 120, 110))
    d.polygon([p(-0.6, 1.35), p(0.6, 1.35), p(0.57, ROOF), p(-0.57, ROOF)], fill=body)
    # Mirrors, headlights, fog lights, grille, bumper lip.
    for side in (-1, 1):
        box(side * 0.93 - 0.07, 0.9, side * 0.93 + 0.07, 1.0, dark, 0.03)
        box(side * 0.66 - 0.2, 0.62, side * 0.66 + 0.2, 0.75, chrome, 0.04)
        box(side * 0.66 - 0.16, 0.64, side * 0.66 + 0.16, 0.73, lamp, 0.03)
        box(side * 0.68 - 0.07, 0.25, side * 0.68 + 0.07, 0.31, (200, 200, 190, 255), 0.02)
    box(-0.38, 0.6, 0.38, 0.76, (30, 32, 35, 255), 0.05)
    for y in (0.64, 0.68, 0.72):
        box(-0.34, y - 0.006, 0.34, y + 0.006, (70, 72, 75, 255))
    box(-HALF + 0.02, 0.14, HALF - 0.02, 0.22, dark, 0.06)
    # The plate's recess in the bumper and its holder, a dark 15 mm frame.
    box(-0.62, 0.3, 0.62, 0.52, dark, 0.04)
    e = 0.015
    box(-PLATE_W / 2 - e, PLATE_Y - PLATE_H / 2 - e, PLATE_W / 2 + e, PLATE_Y + PLATE_H / 2 + e, (25, 25, 25, 255),
        0.01)

    sprite = cv2.resize(np.asarray(img), (w // ss, h // ss), interpolation=cv2.INTER_AREA)
    # The plate, brought to its size in the sprite (the renderer's plates are 300-560 px wide).
    pw, ph = int(round(PLATE_W * SPRITE_SCALE)), int(round(PLATE_H * SPRITE_SCALE))
    small = cv2.resize(plate, (pw, ph), interpolation=cv2.INTER_AREA)
    x0 = int(round((HALF + margin - PLATE_W / 2) * SPRITE_SCALE))
    y0 = int(round((ROOF - PLATE_Y - PLATE_H / 2) * SPRITE_SCALE))
    sprite[y0:y0 + ph, x0:x0 + pw, :3] = small
    sprite[y0:y0 + ph, x0:x0 + pw, 3] = 255
    # A little top light: the upper part of the vehicle a touch brighter than the lower.
    grad = np.linspace(1.08, 0.9, sprite.shape[0], dtype=np.float32)[:, None, None]
    sprite[..., :3] = np.clip(sprite[..., :3] * grad, 0, 255).astype(np.uint8)
    return sprite


def draw_road(rng):
    """The empty scene: one lane of asphalt with its markings and a verge, in perspective, 2x supersampled."""
    ss = 2
    ys, xs = np.mgrid[0:HEIGHT * ss, 0:WIDTH * ss].astype(np.float32)
    ys, xs = (ys + 0.5) / ss, (xs + 0.5) / ss
    s = (ys - VP_Y) / CAMERA_HEIGHT          # road scale at each row
    u = (xs - VP_X) / s + CAMERA_X           # metres across
    z = FOCAL / s                            # metres along
    img = np.empty((HEIGHT * ss, WIDTH * ss, 3), np.float32)
    img[:] = (98, 98, 100)
    # Darker, polished bands where the wheels run (0.72 m either side of the lane's centre).
    for track in (-0.72, 0.72):
        img -= (np.exp(-((u - track) / 0.22) ** 2) * 9)[..., None]
    # The lane: a dashed line on its left (3 m on, 5 m off), a solid edge line on its right, then kerb and verge.
    img[u > 1.95] = (160, 160, 155)
    img[u > 2.15] = (92, 110, 70)
    for line, dashed in ((-1.75, True), (1.75, False)):
        on = np.abs(u - line) < 0.075
        if dashed:
            on &= np.mod(z, 8.0) < 3.0
        img[on] = (205, 205, 200)
    img = cv2.resize(img, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    # Asphalt texture and uneven wear: low-frequency patches and fine grain.
    patches = cv2.resize(rng.standard_normal((HEIGHT // 90, WIDTH // 90)).astype(np.float32), (WIDTH, HEIGHT),
                         interpolation=cv2.INTER_CUBIC) * 3
    grain = cv2.GaussianBlur(rng.standard_normal((HEIGHT, WIDTH)).astype(np.float32), (0, 0), 0.7) * 5
    img += (patches + grain)[..., None]
    # Far away is a little hazier and brighter.
    img += np.linspace(14, 0, HEIGHT, dtype=np.float32)[:, None, None]
    return img


def pyramid(sprite):
    """The sprite at SPRITE_SCALE and smaller by steps of PYRAMID_STEP (area-averaged), so that each frame only
    scales by a factor near 1, which bilinear interpolation does well and fast."""
    levels = [sprite]
    while levels[-1].shape[1] > 100:
        h, w = levels[-1].shape[:2]
        size = (round(w * PYRAMID_STEP), round(h * PYRAMID_STEP))
        levels.append(cv2.resize(levels[-1], size, interpolation=cv2.INTER_AREA))
    return levels


def composite(frame, sprites, s, x_anchor, y_anchor, blur_px):
    """Scale the vehicle to s px/m, blur it along the motion (blur_px down-left), and blend it into frame."""
    k = s / SPRITE_SCALE
    h, w = sprites[0].shape[:2]
    nw, nh = max(1, int(round(w * k))), max(1, int(round(h * k)))
    source = next((level for level in reversed(sprites) if level.shape[1] >= nw), sprites[0])
    small = cv2.resize(source, (nw, nh), interpolation=cv2.INTER_LINEAR)
    if blur_px >= 1.0:
        n = int(np.ceil(blur_px)) | 1
        kernel = np.zeros((n, n), np.float32)
        cv2.line(kernel, (n - 1, 0), (0, n - 1), 1.0)  # motion is down and to the left
        small = cv2.filter2D(small, -1, kernel / kernel.sum())
    # The anchor (road level, centre) sits 0.1 m above the sprite's bottom edge, at its horizontal centre.
    x0 = int(round(x_anchor - nw / 2))
    y0 = int(round(y_anchor - nh + 0.1 * s))
    fx0, fy0, fx1, fy1 = max(0, x0), max(0, y0), min(WIDTH, x0 + nw), min(HEIGHT, y0 + nh)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    part = small[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0].astype(np.float32)
    a = part[..., 3:] * np.float32(1 / 255)
    region = frame[fy0:fy1, fx0:fx1]
    region *= 1 - a
    region += part[..., :3] * a


# ---------------------------------------------------------------- clip


def draw_frame(t, vehicles, road, noise, rng):
    """The picture at clip time t, RGB uint8."""
    frame = road.copy()
    # Far vehicles first, so nearer ones cover them.
    for v in sorted((v for v in vehicles if v.first - 0.1 <= t <= v.last + 0.1), key=lambda v: -v.z(t)):
        s = scale_at(v.z(t))
        x, y = screen(s, v.offset, 0.0)
        # Exposure smear: how far the plate moves while the shutter is open.
        px, py = screen(s, v.offset, PLATE_Y)
        qx, qy = screen(scale_at(v.z(t + SHUTTER / FPS)), v.offset, PLATE_Y)
        composite(frame, v.sprites, s, x, y, np.hypot(qx - px, qy - py))
    frame = cv2.GaussianBlur(frame, (0, 0), LENS_BLUR)
    frame += noise[rng.integers(len(noise))][..., None]
    return np.clip(frame, 0, 255).astype(np.uint8)


def noise_bank(rng, count=40):
    """Sensor noise fields (gray, so the same on R, G and B), drawn once: a fresh field per frame costs more than
    the rest of the frame."""
    return [rng.standard_normal((HEIGHT, WIDTH), dtype=np.float32) * NOISE for _ in range(count)]


def plan():
    vehicles = []
    t = FIRST_PLATE
    for region, seed, colour, offset, text in VEHICLES:
        vehicles.append(Vehicle(region, seed, colour, offset, text, t))
        t += PLATE_SECONDS + GAP_SECONDS
    return vehicles


def clock(t):
    return "%02d:%06.3f" % (t // 60, t % 60)


def write_list(path, clip_name, vehicles, seconds):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {clip_name}: {WIDTH}x{HEIGHT}, {FPS} fps, {seconds:.1f} s, "
                "rendered by samples/render_demo.py\n")
        f.write("# in view: from the frame the whole plate is in the picture to the last such frame (clip time)\n")
        f.write("# plate: canonical text (../shared/data/README.md), what `edge-anpr replay` should print\n")
        f.write("in_view_from\tin_view_to\tregion\tplate\n")
        for v in vehicles:
            f.write(f"{clock(v.enters)}\t{clock(v.leaves)}\t{v.region}\t{v.text}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "artifacts", "demo", "plates.mp4"))
    ap.add_argument("--list", action="store_true", help="print the plates and exit")
    args = ap.parse_args()

    try:
        pin_fonts()
        vehicles = plan()
    except FileNotFoundError as e:
        sys.exit(f"render_demo.py: {e}")
    seconds = round(max(v.last for v in vehicles) + 0.5, 1)
    if args.list:
        for v in vehicles:
            print(f"{clock(v.enters)}  {clock(v.leaves)}  {v.region:5}  {v.text}")
        return

    if shutil.which("ffmpeg") is None:
        sys.exit("render_demo.py needs ffmpeg: apt-get install ffmpeg")
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    partial = out + ".part"
    started = time.monotonic()
    ffmpeg = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
         "-c:v", "libx264", "-preset", "medium", "-crf", "22", "-g", str(2 * FPS), "-bf", "0", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
         "-f", "mp4", partial],
        stdin=subprocess.PIPE)

    rng = np.random.default_rng(20261121)
    road = draw_road(rng)
    noise = noise_bank(rng)
    frames = int(round(seconds * FPS))
    try:
        for n in range(frames):
            ffmpeg.stdin.write(draw_frame(n / FPS, vehicles, road, noise, rng).tobytes())
        ffmpeg.stdin.close()
    except BrokenPipeError:
        pass
    if ffmpeg.wait() != 0:
        sys.exit(f"render_demo.py: ffmpeg exited with {ffmpeg.returncode}")
    os.replace(partial, out)
    plates = os.path.splitext(out)[0] + ".txt"
    write_list(plates, os.path.basename(out), vehicles, seconds)
    print(f"{os.path.relpath(out)}: {len(vehicles)} vehicles, {frames} frames ({seconds:.1f} s) "
          f"in {time.monotonic() - started:.0f} s; plates in {os.path.relpath(plates)}")


if __name__ == "__main__":
    main()
