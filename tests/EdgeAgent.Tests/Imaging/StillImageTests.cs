using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>
/// Pictures decoded to gray through SkiaSharp, checked against the luma ffmpeg gives (what frames and the measured eval
/// figures come from), and each way a picture file can be wrong.
/// </summary>
public sealed class StillImageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-still-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public async Task A_picture_decodes_to_its_size_and_gray_values(string extension)
    {
        // Left half black, right half white (TestClips).
        var path = await TestClips.ImageAsync(extension, 320, 240);

        var image = StillImage.LoadGray(path);

        Assert.Equal((320, 240), (image.Width, image.Height));
        Assert.Equal(320 * 240, image.Pixels.Length);
        Assert.Equal(new PixelRect(0, 0, 320, 240), image.Bounds);
        Assert.InRange(image.Pixels[(100 * 320) + 40], 0, 20);
        Assert.InRange(image.Pixels[(100 * 320) + 280], 235, 255);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(_directory, "plate.jpg");

        var error = Assert.Throws<FileNotFoundException>(() => StillImage.LoadGray(path));

        Assert.Equal($"Image '{path}' does not exist.", error.Message);
    }

    [Fact]
    public void An_empty_file_is_named()
    {
        var path = Path.Combine(_directory, "empty.jpg");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<InvalidDataException>(() => StillImage.LoadGray(path));

        Assert.Equal($"Image '{path}' is empty (0 bytes).", error.Message);
    }

    [Fact]
    public async Task A_colour_photo_decodes_to_ffmpegs_luma()
    {
        // A real camera photo (br-scenes): the detector and readers were measured on ffmpeg's gray of these files.
        var path = System.IO.Path.Combine(RepositoryFiles.SharedData, "br-scenes", "img", "AYO9034.jpg");

        var image = StillImage.LoadGray(path);
        var ffmpeg = await TestImages.DecodeWithFfmpegAsync(File.ReadAllBytes(path), image.Width, image.Height);

        var within1 = image.Pixels.Zip(ffmpeg).Count(p => Math.Abs(p.First - p.Second) <= 1);
        Assert.True(within1 >= image.Pixels.Length * 0.999, $"{image.Pixels.Length - within1} of {image.Pixels.Length} pixels differ by more than 1");
    }

    [Fact]
    public async Task A_colour_png_decodes_to_ffmpegs_bt601_luma()
    {
        // Exact RGB in, so the weights alone decide: ffmpeg's -pix_fmt gray is BT.601, full range.
        var random = new Random(5);
        var rgba = new byte[64 * 32 * 4];
        random.NextBytes(rgba);
        var path = System.IO.Path.Combine(_directory, "colours.png");
        using (var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(64, 32, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Opaque)))
        {
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, png.ToArray());
        }

        var image = StillImage.LoadGray(path);
        var ffmpeg = await TestImages.DecodeWithFfmpegAsync(File.ReadAllBytes(path), 64, 32);

        Assert.All(image.Pixels.Zip(ffmpeg), p => Assert.InRange(p.First - p.Second, -1, 1));
    }

    [Fact]
    public void A_file_that_is_not_a_picture_is_named()
    {
        var path = Path.Combine(_directory, "notes.jpg");
        File.WriteAllText(path, "This is not a picture.\n");

        var error = Assert.Throws<InvalidDataException>(() => StillImage.LoadGray(path));

        Assert.Equal($"Image '{path}' cannot be decoded: not a picture SkiaSharp reads (JPEG, PNG, BMP, GIF, WebP).", error.Message);
    }

    [Fact]
    public async Task A_truncated_jpeg_is_refused_not_half_read()
    {
        var whole = await File.ReadAllBytesAsync(await TestClips.ImageAsync("jpg", 320, 240));
        var path = Path.Combine(_directory, "cut.jpg");
        await File.WriteAllBytesAsync(path, whole[..(whole.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => StillImage.LoadGray(path));

        Assert.Equal($"Image '{path}' cannot be decoded: the file is cut short or damaged.", error.Message);
    }
}
