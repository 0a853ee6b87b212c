using EdgeAnpr.Agent.Detection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Tests.Detection;

/// <summary>The <c>Detection</c> section: defaults, binding, and a message naming the key for each value out of range.</summary>
public sealed class DetectionOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_the_model_is_found_beside_the_program()
    {
        var options = new DetectionOptions();

        Assert.True(Validate(options).Succeeded);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", "plate-detector.onnx"), options.ResolvedModelPath);
        Assert.True(File.Exists(options.ResolvedModelPath));
        Assert.True(options.MotionGate.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MotionGate.Warmup);
    }

    [Fact]
    public void The_section_binds_nested_gate_options_and_the_polygon()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Detection:ModelPath"] = "/opt/models/det.onnx",
            ["Detection:ScoreThreshold"] = "0.4",
            ["Detection:MinPlateWidth"] = "60",
            ["Detection:RegionOfInterest:0:X"] = "0.1",
            ["Detection:RegionOfInterest:0:Y"] = "0.2",
            ["Detection:RegionOfInterest:1:X"] = "0.9",
            ["Detection:RegionOfInterest:1:Y"] = "0.2",
            ["Detection:RegionOfInterest:2:X"] = "0.5",
            ["Detection:RegionOfInterest:2:Y"] = "1",
            ["Detection:MotionGate:Threshold"] = "30",
            ["Detection:MotionGate:Warmup"] = "00:00:05",
        });

        Assert.True(Validate(options).Succeeded);
        Assert.Equal("/opt/models/det.onnx", options.ResolvedModelPath);
        Assert.Equal(0.4, options.ScoreThreshold);
        Assert.Equal(3, options.RegionOfInterest.Count);
        Assert.Equal(0.5, options.RegionOfInterest[2].X);
        Assert.Equal(30, options.MotionGate.Threshold);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MotionGate.Warmup);
    }

    [Theory]
    [InlineData("Detection:ScoreThreshold", "1.5", "ScoreThreshold")]
    [InlineData("Detection:MinPlateWidth", "-1", "MinPlateWidth")]
    [InlineData("Detection:MotionGate:LearningRate", "0", "MotionGate.LearningRate")]
    [InlineData("Detection:MotionGate:Threshold", "300", "MotionGate.Threshold")]
    [InlineData("Detection:MotionGate:Warmup", "00:20:00", "MotionGate.Warmup")]
    [InlineData("Detection:RegionOfInterest:0:X", "1.2", "RegionOfInterest[0].X")]
    public void A_value_out_of_range_is_named(string key, string value, string member)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Detection:RegionOfInterest:0:X"] = "0",
            ["Detection:RegionOfInterest:1:X"] = "1",
            ["Detection:RegionOfInterest:2:Y"] = "1",
        };
        settings[key] = value;

        var result = Validate(Bind(settings));

        Assert.True(result.Failed);
        Assert.Contains(member, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_polygon_of_two_points_is_refused()
    {
        var options = new DetectionOptions();
        options.RegionOfInterest.Add(new NormalizedPoint(0, 0));
        options.RegionOfInterest.Add(new NormalizedPoint(1, 1));

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("Detection:RegionOfInterest has 2 point(s); a polygon needs at least 3", result.FailureMessage, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(DetectionOptions options) => new DetectionOptionsValidator().Validate(null, options);

    private static DetectionOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new DetectionOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(DetectionOptions.SectionName)
            .Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        return options;
    }
}
