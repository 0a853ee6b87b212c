using System.Runtime.InteropServices;
using EdgeAnpr.Agent.Hardware;

namespace EdgeAnpr.Agent.Tests.Hardware;

/// <summary>
/// The real opening path, on this machine, which has no GPIO chip and no libgpiod: what the box is told, and what the
/// real System.Device.Gpio driver does without its library. On a machine that has them the expected lines follow
/// what is there, so each test still checks the message that machine gets.
/// </summary>
public sealed class LibGpiodTests
{
    private const string AbsentChip = "/dev/gpiochip99";

    [Fact]
    public void A_box_without_the_chip_gets_one_line_naming_what_is_missing_and_the_package()
    {
        var ex = Assert.Throws<GpioException>(() => LibGpiod.Open(AbsentChip));

        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains($"'{AbsentChip}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ls /dev/gpiochip*", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Gpio:Enabled to false", ex.Message, StringComparison.Ordinal);
        if (LibGpiod.FindLibrary() is null)
        {
            Assert.StartsWith($"GPIO: this machine has no GPIO chip '{AbsentChip}' and no libgpiod (libgpiod.so.2 or libgpiod.so.3): on the box, apt-get install libgpiod2", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_missing_part_has_its_own_line()
    {
        Assert.Null(LibGpiod.Missing("/dev/null", "libgpiod.so.2"));
        Assert.StartsWith("GPIO chip '/dev/gpiochip7' does not exist", LibGpiod.Missing("/dev/gpiochip7", "libgpiod.so.2"), StringComparison.Ordinal);
        Assert.Equal(
            "GPIO: libgpiod is not installed (neither libgpiod.so.2 nor libgpiod.so.3 loads): apt-get install libgpiod2, or set Gpio:Enabled to false.",
            LibGpiod.Missing("/dev/null", null));
    }

    [Theory]
    [InlineData(LibGpiod.V1Library)]
    [InlineData(LibGpiod.V2Library)]
    public void The_real_driver_without_its_library_is_reported_with_the_package_to_install(string library)
    {
        // Straight to System.Device.Gpio's LibGpiodDriver or LibGpiodV2Driver, past the checks Open makes first. Here
        // the v1 driver throws PlatformNotSupportedException, the v2 driver GpiodException around DllNotFoundException.
        var libraryHere = NativeLibrary.TryLoad(library, out var handle);
        if (libraryHere)
        {
            NativeLibrary.Free(handle);
        }

        var ex = Assert.Throws<GpioException>(() => LibGpiod.CreateDriver(AbsentChip, library));

        Assert.Equal(
            libraryHere
                ? $"Cannot open GPIO chip '{AbsentChip}' through {library}: {ex.InnerException!.Message}"
                : $"GPIO: libgpiod ({library}) does not load: apt-get install libgpiod2, or set Gpio:Enabled to false.",
            ex.Message);
    }
}
