using System.Text.Json;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Tests.Imaging;

namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>
/// The product unfolds a squarish crop exactly as training did: Fixtures/tworow.json holds rendered crops and what
/// training/platereader/tworow.py made of them (make_tworow_fixture.py).
/// </summary>
public sealed class TwoRowUnfoldTests
{
    public static TheoryData<string> Cases() => [.. Fixture().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_crop_is_cut_and_unfolded_as_training_unfolds_it(string name)
    {
        var c = Fixture().Single(x => x.Name == name);
        // The crop sits inside a larger frame, as a detector's box does.
        const int margin = 5;
        var stride = c.Width + (2 * margin);
        var frame = new byte[stride * (c.Height + (2 * margin))];
        for (var y = 0; y < c.Height; y++)
        {
            c.Pixels.AsSpan(y * c.Width, c.Width).CopyTo(frame.AsSpan(((y + margin) * stride) + margin));
        }

        var crop = new PixelRect(margin, margin, c.Width, c.Height);
        byte[] buffer = [];
        float[] scratch = [];

        Assert.Equal(c.Split, TwoRowUnfold.SplitRow(frame, stride, crop));
        var (width, height) = TwoRowUnfold.Unfold(frame, stride, crop, ref buffer, ref scratch);
        Assert.Equal((c.UnfoldedWidth, c.UnfoldedHeight), (width, height));
        Assert.Equal(c.Unfolded, buffer.AsSpan(0, width * height).ToArray());
    }

    [Fact]
    public void Only_squarish_crops_may_hold_two_rows()
    {
        Assert.True(TwoRowUnfold.MayHoldTwoRows(new PixelRect(0, 0, 100, 60)));
        Assert.True(TwoRowUnfold.MayHoldTwoRows(new PixelRect(0, 0, 200, 100)));
        Assert.False(TwoRowUnfold.MayHoldTwoRows(new PixelRect(0, 0, 240, 100)));
        Assert.False(TwoRowUnfold.MayHoldTwoRows(new PixelRect(0, 0, 460, 100)));
    }

    [Fact]
    public void A_contract_names_unfold_or_nothing()
    {
        static ReaderContract Parse(string twoRow) => ReaderContract.Parse(
            JsonDocument.Parse($$"""{"input":"image","output":"logits","height":32,"width":128,"channels":1,"normalize":"gray/255","layout":"NCHW","charset":["","0","A"],"blank":0,"outputKind":"logits"{{twoRow}}}""").RootElement,
            "test.json");

        Assert.False(Parse("").TwoRow);
        Assert.True(Parse(""","twoRow":"unfold" """).TwoRow);
        var ex = Assert.Throws<InferenceException>(() => Parse(""","twoRow":"stack" """));
        Assert.Contains("'twoRow' is 'stack', but this program implements 'unfold' only", ex.Message, StringComparison.Ordinal);
    }

    private sealed record Case(string Name, int Width, int Height, byte[] Pixels, int Split, int UnfoldedWidth, int UnfoldedHeight, byte[] Unfolded);

    private static IReadOnlyList<Case> Fixture()
    {
        var path = RepositoryFiles.Path("tests", "EdgeAgent.Tests", "Recognition", "Fixtures", "tworow.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        static byte[] Bytes(JsonElement e) => [.. e.EnumerateArray().Select(v => (byte)v.GetInt32())];
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("name").GetString()!,
            c.GetProperty("width").GetInt32(),
            c.GetProperty("height").GetInt32(),
            Bytes(c.GetProperty("pixels")),
            c.GetProperty("split").GetInt32(),
            c.GetProperty("unfoldedWidth").GetInt32(),
            c.GetProperty("unfoldedHeight").GetInt32(),
            Bytes(c.GetProperty("unfolded"))))];
    }
}
