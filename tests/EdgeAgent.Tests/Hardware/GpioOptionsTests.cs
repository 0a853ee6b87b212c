using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Tests.Hardware;

public sealed class GpioOptionsTests
{
    [Fact]
    public void Gpio_is_off_by_default_and_the_defaults_are_valid()
    {
        var options = new GpioOptions();

        Assert.False(options.Enabled);
        Assert.Equal("/dev/gpiochip0", options.Chip);
        Assert.Null(options.Relay);
        Assert.True(new GpioOptionsValidator().Validate(null, options).Succeeded);
        Assert.Empty(Check());
        Assert.Equal(TimeSpan.FromMilliseconds(20), new LoopDetectorOptions().Debounce);
    }

    [Fact]
    public void A_full_wiring_binds_and_validates()
    {
        var configuration = Configuration(
            ("Gpio:Enabled", "true"),
            ("Gpio:Chip", "/dev/gpiochip4"),
            ("Gpio:Relay:Line", "17"),
            ("Gpio:StatusLed:Line", "27"),
            ("Gpio:StatusLed:ActiveLow", "true"),
            ("Gpio:LoopDetector:Line", "22"),
            ("Gpio:LoopDetector:Debounce", "00:00:00.050"),
            ("Gpio:LoopDetector:Bias", "PullUp"),
            ("Gpio:PulseByPriority:0", "00:00:01"),
            ("Gpio:PulseByPriority:5", "00:00:08"));

        Assert.Empty(Entry.Check(configuration));
        var options = new GpioOptions();
        configuration.GetSection("Gpio").Bind(options);
        Assert.Equal(17, options.Relay!.Line);
        Assert.True(options.StatusLed!.ActiveLow);
        Assert.Equal(GpioBias.PullUp, options.LoopDetector!.Bias);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.LoopDetector.Debounce);
        Assert.Equal(2, options.PulseByPriority.Count);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    [InlineData(7, 1)]
    [InlineData(0, 5)]
    public void The_default_pulses_are_5_s_2_s_and_1_s_for_3_and_above(int priority, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new GpioOptions().PulseFor(priority));

    [Theory]
    [InlineData(-3, 1)]
    [InlineData(0, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 8)]
    [InlineData(100, 8)]
    public void A_configured_table_replaces_the_defaults_and_a_priority_takes_the_nearest_key_below(int priority, int seconds)
    {
        var options = new GpioOptions { PulseByPriority = { ["0"] = TimeSpan.FromSeconds(1), ["5"] = TimeSpan.FromSeconds(8) } };
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.PulseFor(priority));
    }

    [Fact]
    public void Two_parts_on_one_line_are_refused_naming_both_keys()
    {
        var problem = Assert.Single(Check(("Gpio:Relay:Line", "17"), ("Gpio:LoopDetector:Line", "17")));

        Assert.Contains("Gpio:LoopDetector:Line is 17", problem, StringComparison.Ordinal);
        Assert.Contains("Gpio:Relay:Line", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gpio:Relay:Line", "512", "Relay.Line")]
    [InlineData("Gpio:StatusLed:Line", "-1", "StatusLed.Line")]
    [InlineData("Gpio:LoopDetector:Debounce", "00:00:02", "LoopDetector.Debounce")]
    public void Out_of_range_values_are_refused_naming_the_key(string key, string value, string named)
    {
        var configuration = new List<(string, string)> { (key, value) };
        foreach (var part in new[] { "Relay", "StatusLed", "LoopDetector" }.Where(p => !key.Contains(p, StringComparison.Ordinal)))
        {
            configuration.Add(($"Gpio:{part}:Line", part.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (!key.EndsWith(":Line", StringComparison.Ordinal))
        {
            configuration.Add((key[..key.LastIndexOf(':')] + ":Line", "3"));
        }

        var problem = Assert.Single(Check([.. configuration]));
        Assert.Contains(named, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_without_its_line_is_refused()
    {
        var problem = Assert.Single(Check(("Gpio:Relay:ActiveLow", "true")));
        Assert.Contains("Relay.Line", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:00:00")]
    [InlineData("01:00:00")]
    public void A_pulse_out_of_range_is_refused_naming_its_priority(string length)
    {
        var problem = Assert.Single(Check(("Gpio:PulseByPriority:2", length)));

        Assert.Contains("Gpio:PulseByPriority:2", problem, StringComparison.Ordinal);
        Assert.Contains(length, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_priority_that_is_not_a_number_is_refused_not_skipped()
    {
        var problem = Assert.Single(Check(("Gpio:PulseByPriority:high", "00:00:05")));
        Assert.Contains("Gpio:PulseByPriority:high is not a priority", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simulated")]
    [InlineData("/dev/gpiochip")]
    [InlineData("gpiochip0")]
    [InlineData("/dev/gpiomem")]
    public void A_chip_that_is_not_a_gpiochip_device_is_refused_naming_the_key(string chip)
    {
        var problem = Assert.Single(Check(("Gpio:Chip", chip)));
        Assert.Contains($"Gpio:Chip is '{chip}'", problem, StringComparison.Ordinal);
        Assert.Contains("/dev/gpiochip0", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/gpiochip0", 0)]
    [InlineData("/dev/gpiochip12", 12)]
    [InlineData("/dev/gpiochip-1", -1)]
    [InlineData("/dev/gpiochip1/", -1)]
    public void The_chip_number_is_read_from_the_path(string chip, int number) =>
        Assert.Equal(number, GpioOptions.ChipNumber(chip));

    [Fact]
    public void An_unknown_bias_is_refused_naming_the_key()
    {
        var problem = Assert.Single(Check(("Gpio:LoopDetector:Line", "4"), ("Gpio:LoopDetector:Bias", "Sideways")));
        Assert.Contains("Gpio:LoopDetector:Bias", problem, StringComparison.Ordinal);
    }

    private static readonly OptionsEntry<GpioOptions, GpioOptionsValidator> Entry = new(GpioOptions.SectionName);

    private static IReadOnlyList<string> Check(params (string Key, string Value)[] values) => Entry.Check(Configuration(values));

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
