using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>The configured regions' readers with the committed models: which model and grammar a crop is read with.</summary>
public sealed class PlateReadersTests(ITestOutputHelper output)
{
    [Fact]
    public void Kazakh_and_russian_crops_are_each_read_with_their_own_formats()
    {
        var logger = TestLogs.For<PlateReadersTests>(output);
        using var readers = PlateReaders.Open(Options("kz", "ru"), new InferenceOptions(), logger);
        var kazakh = ReaderModels.Validation("kz-plates", PlateRegion.Kz, 1)[0];
        var russian = ReaderModels.Validation("ru-plates", PlateRegion.Ru, 1)[0];
        var (pixels, stride, crops) = ReaderModels.Stack([StillImage.LoadGray(kazakh.Path), StillImage.LoadGray(russian.Path)]);

        var reads = readers.Read(pixels, stride, crops);

        output.WriteLine($"{kazakh}: {reads[0]}; {russian}: {reads[1]}");
        Assert.Equal([PlateRegion.Kz, PlateRegion.Ru], readers.Regions);
        Assert.Equal((PlateRegion.Kz, kazakh.Text), (reads[0].Region, reads[0].Characters));
        Assert.Equal((PlateRegion.Ru, russian.Text), (reads[1].Region, reads[1].Characters));
        Assert.True(readers.Accepts(reads[0]));
        Assert.True(readers.Accepts(reads[1]));
        Assert.Single(logger.Collector.GetSnapshot(), e => e.Id.Id == 4200);
        Assert.Empty(logger.Errors);
    }

    [Theory]
    [InlineData("ir-plates", PlateRegion.Ir, "ir")]
    [InlineData("us-plates", PlateRegion.Latin, "latin")]
    public void Auto_reports_a_plate_its_own_reader_is_sure_of_in_its_own_region(string set, PlateRegion region, string code)
    {
        // Every model runs and every region's formats compete; a plate that its own region's reader accepts must win.
        var logger = TestLogs.For<PlateReadersTests>(output);
        using var auto = PlateReaders.Open(Options("auto"), new InferenceOptions(), logger);
        using var own = PlateReaders.Open(Options(code));
        var images = ReaderModels.Validation(set, region, 5).Select(c => StillImage.LoadGray(c.Path)).ToArray();
        var (pixels, stride, crops) = ReaderModels.Stack(images);

        var reads = auto.Read(pixels, stride, crops);
        var ownReads = own.Read(pixels, stride, crops);

        var sure = Enumerable.Range(0, crops.Length).Where(i => own.Accepts(ownReads[i])).ToArray();
        foreach (var i in Enumerable.Range(0, crops.Length))
        {
            output.WriteLine($"auto {reads[i]}; {code} alone {ownReads[i]}");
        }

        Assert.Equal([PlateRegion.Ir, PlateRegion.Kz, PlateRegion.Ru, PlateRegion.Latin], auto.Regions);
        Assert.True(sure.Length >= 3, $"The {code} reader accepts only {sure.Length} of 5 {set} validation crops.");
        Assert.All(sure, i => Assert.Equal((region, ownReads[i].Characters), (reads[i].Region, reads[i].Characters)));
        Assert.Equal(2, logger.Collector.GetSnapshot().Count(e => e.Id.Id == 4200));
        Assert.Empty(logger.Errors);
    }

    [Fact]
    public void Among_regions_the_models_own_reading_beats_one_the_formats_had_to_change()
    {
        // Russian O738EB29 as the model saw it; the Kazakh formats can make 073BEB29 of it through O/0 and 8/B, and
        // the look-alikes' shares make that reading even surer. The plain reading is the plate.
        var ru = new PlateRead(PlateRegion.Ru, "O738EB29", PlateText.Parse("O738EB29", PlateRegion.Ru), [.. Enumerable.Repeat(0.97f, 8)], 0.97f, "O738EB29", 0f);
        var kz = new PlateRead(PlateRegion.Kz, "073BEB29", PlateText.Parse("073BEB29", PlateRegion.Kz), [.. Enumerable.Repeat(1f, 8)], 1f, "O738EB29", 0f);
        var outside = new PlateRead(PlateRegion.Ir, "0738", null, [1f, 1f, 1f, 1f], 0f, "0738", float.PositiveInfinity);

        Assert.Same(ru, PlateReaders.Best([outside, kz, ru]));
        Assert.Same(kz, PlateReaders.Best([outside, kz]));
        Assert.Same(outside, PlateReaders.Best([outside]));
    }

    [Fact]
    public void A_read_outside_the_grammar_or_below_the_minimum_is_not_accepted()
    {
        var options = Options("ru");
        options.MinConfidence = 0.9;
        using var readers = PlateReaders.Open(options);
        var decoder = new PlateDecoder(Columns.Latin, 0, PlateRegion.Ru);

        var clear = decoder.Decode(Columns.Clear(Columns.Latin, "H-0-0-2-E-X-7-1"), 15);
        var unsure = decoder.Decode(Columns.Of(Columns.Latin, [.. "H-0-0-2-E-X-7-".Select(c => Columns.Column((c == '-' ? "" : c.ToString(), 0.9))), Columns.Column(("1", 0.6), ("7", 0.3))]), 15);
        var outside = decoder.Decode(Columns.Clear(Columns.Latin, "H-0-0-2"), 7);

        Assert.True(readers.Accepts(clear));
        Assert.False(readers.Accepts(unsure));
        Assert.False(readers.Accepts(outside));
    }

    private static RecognitionOptions Options(params string[] regions)
    {
        var options = new RecognitionOptions
        {
            IranModelPath = regions.Any(r => r is "ir" or "auto") ? ReaderModels.Path(ReaderModels.Iranian) : "unused.onnx",
            LatinModelPath = ReaderModels.Path(ReaderModels.Latin),
        };
        foreach (var region in regions)
        {
            options.Regions.Add(region);
        }

        return options;
    }
}
