#!/usr/bin/python3
"""xshot.py OUT.png [WINDOW_ID] - save the X root window (or one window) of
$DISPLAY as a PNG.  Xlib through ctypes and zlib: needs nothing beyond
libX11, which the GUI under test loads anyway."""
import ctypes
import ctypes.util
import struct
import sys
import zlib


class XImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int),
                ("xoffset", ctypes.c_int), ("format", ctypes.c_int),
                ("data", ctypes.POINTER(ctypes.c_ubyte)),
                ("byte_order", ctypes.c_int), ("bitmap_unit", ctypes.c_int),
                ("bitmap_bit_order", ctypes.c_int),
                ("bitmap_pad", ctypes.c_int), ("depth", ctypes.c_int),
                ("bytes_per_line", ctypes.c_int),
                ("bits_per_pixel", ctypes.c_int),
                ("red_mask", ctypes.c_ulong), ("green_mask", ctypes.c_ulong),
                ("blue_mask", ctypes.c_ulong)]


class XWindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int),
                ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("pad", ctypes.c_byte * 256)]


def png(path, w, h, rows):
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + \
            struct.pack(">I", zlib.crc32(c) & 0xffffffff)
    raw = b"".join(b"\0" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def main():
    x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                       ctypes.POINTER(XWindowAttributes)]
    x.XGetImage.restype = ctypes.POINTER(XImage)
    x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                            ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                            ctypes.c_ulong, ctypes.c_int]
    x.XDestroyImage = None  # a macro in Xlib; the process exits anyway
    dpy = x.XOpenDisplay(None)
    if not dpy:
        sys.exit("xshot: cannot open display")
    win = int(sys.argv[2], 0) if len(sys.argv) > 2 else x.XDefaultRootWindow(dpy)
    attr = XWindowAttributes()
    if not x.XGetWindowAttributes(dpy, win, ctypes.byref(attr)):
        sys.exit("xshot: no such window")
    img = x.XGetImage(dpy, win, 0, 0, attr.width, attr.height,
                      0xffffffff, 2)    # AllPlanes, ZPixmap
    if not img:
        sys.exit("xshot: XGetImage failed")
    im = img.contents
    if im.bits_per_pixel != 32:
        sys.exit("xshot: %d bits per pixel not handled" % im.bits_per_pixel)
    buf = ctypes.string_at(im.data, im.bytes_per_line * im.height)
    rows = []
    for y in range(im.height):
        line = buf[y * im.bytes_per_line:y * im.bytes_per_line + im.width * 4]
        rgb = bytearray(im.width * 3)
        rgb[0::3] = line[2::4]      # BGRX little endian -> RGB
        rgb[1::3] = line[1::4]
        rgb[2::3] = line[0::4]
        rows.append(bytes(rgb))
    png(sys.argv[1], im.width, im.height, rows)


if __name__ == "__main__":
    main()
