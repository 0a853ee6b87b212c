using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// Opens the box's GPIO chip as a System.Device.Gpio <see cref="GpioController"/> over libgpiod: the v2 driver where
/// <c>libgpiod.so.3</c> loads (Debian 13), else the v1 <see cref="LibGpiodDriver"/> over <c>libgpiod.so.2</c> (Debian 12,
/// package <c>libgpiod2</c>). What is missing (the chip, the library, the right to open the chip) is found before the
/// driver is made, so each gets its own one-line message; the drivers' own errors do not say which package to install.
/// </summary>
internal static class LibGpiod
{
    /// <summary>The Debian package that carries the library on bookworm, the distribution the boxes run.</summary>
    public const string Package = "libgpiod2";

    /// <summary>libgpiod 1.x, which <see cref="LibGpiodDriver"/> binds.</summary>
    public const string V1Library = "libgpiod.so.2";

    /// <summary>libgpiod 2.x, which <see cref="LibGpiodV2Driver"/> binds.</summary>
    public const string V2Library = "libgpiod.so.3";

    /// <summary>Opens <paramref name="chip"/> (a <c>/dev/gpiochipN</c>); the caller owns the controller.</summary>
    /// <exception cref="GpioException">The chip or libgpiod is missing, or the chip may not be opened; the message says what to do.</exception>
    public static GpioController Open(string chip)
    {
        var library = FindLibrary();
        if (Missing(chip, library) is { } missing)
        {
            throw new GpioException(missing);
        }

        CheckAccess(chip);
        return new GpioController(CreateDriver(chip, library!));
    }

    /// <summary>The libgpiod this machine's loader finds, newest API first; null when none.</summary>
    public static string? FindLibrary()
    {
        foreach (var name in new[] { V2Library, V1Library })
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                NativeLibrary.Free(handle);
                return name;
            }
        }

        return null;
    }

    /// <summary>One line naming what of the chip and the library is missing, or null when both are there.</summary>
    public static string? Missing(string chip, string? library) => (File.Exists(chip), library is not null) switch
    {
        (true, true) => null,
        (false, false) =>
            $"GPIO: this machine has no GPIO chip '{chip}' and no libgpiod ({V1Library} or {V2Library}): on the box, apt-get install {Package} " +
            "and set Gpio:Chip to one of `ls /dev/gpiochip*`; without GPIO hardware, set Gpio:Enabled to false.",
        (false, true) =>
            $"GPIO chip '{chip}' does not exist: list this machine's chips with `ls /dev/gpiochip*` (`gpiodetect` names them) and set Gpio:Chip; " +
            "without GPIO hardware, set Gpio:Enabled to false.",
        (true, false) =>
            $"GPIO: libgpiod is not installed (neither {V1Library} nor {V2Library} loads): apt-get install {Package}, or set Gpio:Enabled to false.",
    };

    /// <summary>
    /// Makes the driver for <paramref name="library"/>. Without its library the v1 driver throws
    /// <see cref="PlatformNotSupportedException"/> and the v2 driver a <see cref="GpiodException"/> around the
    /// <see cref="DllNotFoundException"/> (both seen on this machine, which has neither library); either means the same to the box.
    /// </summary>
    internal static GpioDriver CreateDriver(string chip, string library)
    {
        var number = GpioOptions.ChipNumber(chip);
        try
        {
#pragma warning disable SDGPIO0001 // The v2 driver is marked experimental; it is the only one that binds libgpiod 2.x (Debian 13).
            return library == V2Library ? new LibGpiodV2Driver(number) : new LibGpiodDriver(number);
#pragma warning restore SDGPIO0001
        }
        catch (Exception ex) when (ex is DllNotFoundException or PlatformNotSupportedException || ex.InnerException is DllNotFoundException)
        {
            throw new GpioException($"GPIO: libgpiod ({library}) does not load: apt-get install {Package}, or set Gpio:Enabled to false.", ex);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or EntryPointNotFoundException)
        {
            throw new GpioException($"Cannot open GPIO chip '{chip}' through {library}: {ex.Message}", ex);
        }
    }

    /// <summary>What the controller runs on, for the log and <c>doctor</c>: driver, libgpiod version, chip name, label and lines.</summary>
    public static string Describe(GpioController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        try
        {
            var info = controller.QueryComponentInformation();
            var driver = info.SubComponents.Count > 0 ? info.SubComponents[0] : info;
            var properties = driver.Properties;
            var version = properties.TryGetValue("LibGpiodVersion", out var v1) ? $"libgpiod {v1}"
                : properties.TryGetValue("LibGpiod-api-version", out var v2) ? $"libgpiod API {v2}"
                : "libgpiod version unknown";
            var chip = properties.TryGetValue("ChipInfo", out var chipInfo) ? chipInfo : $"{controller.PinCount} lines";
            return $"{driver.Name}, {version}, {chip}";
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or NotSupportedException)
        {
            // Only a description: the drivers look the chip up again by number, which can fail where opening did not.
            return $"{controller.PinCount} lines ({ex.Message})";
        }
    }

    /// <summary>Opens and closes the device node, so that a permission problem is named as one (the driver only says it found no chip).</summary>
    private static void CheckAccess(string chip)
    {
        try
        {
            using var handle = File.OpenHandle(chip, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new GpioException(
                $"GPIO chip '{chip}' may not be opened by this user: add the service user to the `gpio` group (`usermod -aG gpio edge-anpr`; " +
                "systemd/60-edge-anpr-gpio.rules gives that group the chips), check `ls -l /dev/gpiochip*`, and under systemd that the unit keeps " +
                "`DeviceAllow=char-gpiochip rw`.",
                ex);
        }
        catch (IOException ex)
        {
            throw new GpioException($"Cannot open GPIO chip '{chip}': {ex.Message}", ex);
        }
    }
}
