using System.Device.Gpio;
using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Hardware;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>doctor's line for the wired parts, with a file standing in for the chip node and a fake chip of 32 lines.</summary>
public sealed class GpioLinesDoctorTests : IDisposable
{
    private readonly string _chip = Path.GetTempFileName();
    private readonly Func<string, GpioController> _openChip;

    public GpioLinesDoctorTests()
    {
        var pins = new FakeGpioDriver(new FakeTimeProvider(), pinCount: 32);
        _openChip = _ => new GpioController(pins);
    }

    public void Dispose() => File.Delete(_chip);

    [Fact]
    public async Task Lines_the_chip_has_on_a_chip_this_user_may_open_pass()
    {
        var check = await GpioLinesDoctor.CheckAsync(Options(relay: 17, loop: 22), _openChip, CancellationToken.None);

        Assert.Equal(CheckOutcome.Ok, check.Outcome);
        Assert.Equal($"relay 17, loop 22 on {_chip} (32 lines), readable and writable by this user", check.Detail);
    }

    [Fact]
    public async Task A_line_beyond_the_chip_fails_naming_its_key()
    {
        var check = await GpioLinesDoctor.CheckAsync(Options(relay: 40, loop: 22), _openChip, CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.Equal($"Gpio:Relay:Line is 40, but {_chip} has lines 0 to 31 (`gpioinfo` lists them)", check.Detail);
    }

    [Fact]
    public async Task A_missing_chip_fails_when_gpio_is_on_and_is_only_noted_when_off()
    {
        var on = Options(relay: 17, loop: null, chip: "/dev/gpiochip99");
        var off = Options(relay: 17, loop: null, chip: "/dev/gpiochip99", enabled: false);

        var failed = await GpioLinesDoctor.CheckAsync(on, _openChip, CancellationToken.None);
        var noted = await GpioLinesDoctor.CheckAsync(off, _openChip, CancellationToken.None);
        var none = await GpioLinesDoctor.CheckAsync(new GpioOptions { Enabled = true }, _openChip, CancellationToken.None);

        Assert.Equal(CheckOutcome.Fail, failed.Outcome);
        Assert.Contains("/dev/gpiochip99, which does not exist", failed.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Ok, noted.Outcome);
        Assert.EndsWith("GPIO is off", noted.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Ok, none.Outcome);
    }

    [Fact]
    public void A_chip_this_user_may_not_open_names_its_group_and_the_membership()
    {
        var outside = GpioLinesDoctor.AccessHint("/dev/gpiochip0", "gpio", ["tech", "adm"], "tech");
        var inside = GpioLinesDoctor.AccessHint("/dev/gpiochip0", "gpio", ["tech", "gpio"], "tech");

        Assert.StartsWith("/dev/gpiochip0 (group gpio) may not be opened by tech; tech is not in gpio: usermod -aG gpio tech.", outside, StringComparison.Ordinal);
        Assert.Contains("tech is in gpio, so log in again", inside, StringComparison.Ordinal);
    }

    private GpioOptions Options(int relay, int? loop, string? chip = null, bool enabled = true) => new()
    {
        Enabled = enabled,
        Chip = chip ?? _chip,
        Relay = new GpioOutputOptions { Line = relay },
        LoopDetector = loop is { } line ? new LoopDetectorOptions { Line = line } : null,
    };
}
