using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Status;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>aim</c>'s summary of its one-second samples.</summary>
public sealed class AimTallyTests
{
    [Fact]
    public void Plate_heights_are_summarised_over_all_seconds_and_judged_by_the_median()
    {
        var tally = new AimTally();
        tally.Add(Sample([12, 14], focus: 100, brightness: 120));
        tally.Add(Sample([], focus: 300, brightness: 130));
        tally.Add(Sample([16, 40, 18], focus: 200, brightness: 125));

        var summary = tally.Summarise();

        Assert.Equal(3, summary.Seconds);
        Assert.Equal(5, summary.Plates);
        Assert.Equal((16.0, 12.0, 40.0), (summary.PlateHeightMedian!.Value, summary.PlateHeightMin!.Value, summary.PlateHeightMax!.Value));
        Assert.Equal("too small", summary.PlateHeightVerdict);
        Assert.Equal(200, summary.FocusMedian);
        Assert.Equal(125, summary.BrightnessMedian);
        Assert.Contains(summary.Advice, a => a.StartsWith("plates are too small: zoom in", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new double[] { 30, 60, 90 }, "ok")]
    [InlineData(new double[] { 150, 160 }, "too large")]
    [InlineData(new double[0], "no plates")]
    public void The_verdict_follows_the_recommended_range(double[] heights, string verdict)
    {
        var tally = new AimTally();
        tally.Add(Sample(heights, focus: 10, brightness: 100));

        Assert.Equal(verdict, tally.Summarise().PlateHeightVerdict);
    }

    [Fact]
    public void A_dark_picture_gets_advice()
    {
        var tally = new AimTally();
        tally.Add(Sample([50], focus: 10, brightness: 20));

        var summary = tally.Summarise();

        Assert.Equal("ok", summary.PlateHeightVerdict);
        Assert.Contains(summary.Advice, a => a.StartsWith("the picture is dark", StringComparison.Ordinal));
    }

    private static AimSample Sample(double[] heights, double focus, double brightness) =>
        new(864, 576, heights, focus, "region", brightness, 25, null);
}
