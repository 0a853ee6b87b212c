using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Recognition;

/// <summary>
/// The committed reader models on validation crops they were never trained on, read as the product reads them: the
/// JPEG decoded to gray by ffmpeg, stretched with Bilinear, run by ONNX Runtime, decoded with the region's grammar.
/// </summary>
public sealed class PlateReaderModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ReaderModels.Iranian, "ir-plates", PlateRegion.Ir)]
    [InlineData(ReaderModels.Latin, "us-plates", PlateRegion.Latin)]
    [InlineData(ReaderModels.Latin, "ru-plates", PlateRegion.Ru)]
    [InlineData(ReaderModels.Latin, "kz-plates", PlateRegion.Kz)]
    public void Reads_at_least_seven_in_ten_of_twenty_validation_crops_exactly(string model, string set, PlateRegion region)
    {
        var logger = TestLogs.For<PlateReaderModelTests>(output);
        using var reader = PlateReaderModel.FromFile(ReaderModels.Path(model), logger: logger);
        // Twenty crops (all eight of kz): a floor well under the models' held-out figures (86-95%), not a bar.
        var crops = ReaderModels.Validation(set, region, 20);

        var exact = 0;
        foreach (var crop in crops)
        {
            var image = StillImage.LoadGray(crop.Path);
            var read = reader.Read(image.Pixels, image.Width, [image.Bounds], region)[0];
            exact += read.Characters == crop.Text && read.MatchesGrammar ? 1 : 0;
            output.WriteLine($"{crop}: {read} (plain '{read.Unconstrained}', cost {read.GrammarCost:0.00}, characters {string.Join(' ', read.CharacterConfidences.Select(p => p.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))})");
        }

        Assert.Empty(logger.Errors);
        Assert.True(exact >= Math.Ceiling(0.7 * crops.Count), $"{Path.GetFileName(model)} read {exact} of {crops.Count} {set} validation crops exactly (see the output).");
    }

    [Fact]
    public void A_batch_of_crops_in_one_frame_reads_as_each_crop_alone()
    {
        using var reader = PlateReaderModel.FromFile(ReaderModels.Path(ReaderModels.Latin));
        var images = ReaderModels.Validation("us-plates", PlateRegion.Latin, 5).Select(c => StillImage.LoadGray(c.Path)).ToArray();
        var (pixels, stride, crops) = ReaderModels.Stack(images);

        var batch = reader.Read(pixels, stride, crops, PlateRegion.Latin);

        for (var i = 0; i < images.Length; i++)
        {
            var alone = reader.Read(images[i].Pixels, images[i].Width, [images[i].Bounds], PlateRegion.Latin)[0];
            Assert.Equal(alone.Characters, batch[i].Characters);
            Assert.Equal(alone.Unconstrained, batch[i].Unconstrained);
            Assert.Equal(alone.CharacterConfidences.Count, batch[i].CharacterConfidences.Count);
            Assert.Equal(alone.Confidence, batch[i].Confidence, 4);
        }
    }

    [Fact]
    public void Several_regions_of_one_model_come_from_one_run()
    {
        using var reader = PlateReaderModel.FromFile(ReaderModels.Path(ReaderModels.Latin));
        var crop = ReaderModels.Validation("ru-plates", PlateRegion.Ru, 1)[0];
        var image = StillImage.LoadGray(crop.Path);
        var results = new PlateRead[3];

        reader.Read(image.Pixels, image.Width, [image.Bounds], [PlateRegion.Latin, PlateRegion.Ru, PlateRegion.Kz], results);

        Assert.Equal([PlateRegion.Latin, PlateRegion.Ru, PlateRegion.Kz], results.Select(r => r.Region));
        Assert.All(results, r => Assert.Equal(results[0].Unconstrained, r.Unconstrained));
    }
}
