using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Imaging;

/// <summary>Pictures decoded to gray by the real ffmpeg, and each way a picture file can be wrong.</summary>
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
    public void A_file_that_is_not_a_picture_gives_ffmpegs_reason()
    {
        var path = Path.Combine(_directory, "notes.jpg");
        File.WriteAllText(path, "This is not a picture.\n");

        var error = Assert.Throws<InvalidDataException>(() => StillImage.LoadGray(path));

        Assert.StartsWith($"Image '{path}' cannot be decoded: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_truncated_pgm_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => StillImage.FromPgm("P5\n4 4\n255\n\x01\x02"u8, "x.pgm"));

        Assert.Contains("too few for its 4x4 pixels", error.Message, StringComparison.Ordinal);
    }
}
