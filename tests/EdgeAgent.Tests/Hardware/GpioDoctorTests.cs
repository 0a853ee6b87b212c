using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Hardware;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>doctor's GPIO line on this machine (no GPIO chip; libgpiod as installed here).</summary>
public sealed class GpioDoctorTests
{
    [Fact]
    public void With_gpio_off_the_check_passes_and_says_what_it_found()
    {
        var check = GpioDoctor.Check(new GpioOptions { Chip = "/dev/gpiochip99" });

        Assert.Equal(CheckOutcome.Ok, check.Outcome);
        Assert.StartsWith("off (Gpio:Enabled is false); found: no /dev/gpiochip99, ", check.Detail, StringComparison.Ordinal);
        Assert.EndsWith(LibGpiod.FindLibrary() ?? "libgpiod not installed (apt-get install libgpiod2 to use GPIO)", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void With_gpio_on_a_missing_chip_fails_the_check_with_the_start_up_message()
    {
        var check = GpioDoctor.Check(new GpioOptions { Enabled = true, Chip = "/dev/gpiochip99" });

        Assert.Equal(CheckOutcome.Fail, check.Outcome);
        Assert.Equal(LibGpiod.Missing("/dev/gpiochip99", LibGpiod.FindLibrary()), check.Detail);
    }
}
