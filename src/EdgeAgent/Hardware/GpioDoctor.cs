using EdgeAnpr.Agent.Doctor;

namespace EdgeAnpr.Agent.Hardware;

/// <summary><c>edge-anpr doctor</c>'s GPIO line: the chip and libgpiod found, or what is missing and the package to install.</summary>
internal static class GpioDoctor
{
    private const string CheckName = "gpio";

    /// <summary>
    /// With GPIO on, opens the chip as the agent would (and fails as it would); with it off, only says what is there, as
    /// <c>ok</c>, since a box without GPIO wiring is a box that works.
    /// </summary>
    public static DoctorCheck Check(GpioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var library = LibGpiod.FindLibrary();
        if (!options.Enabled)
        {
            var chip = File.Exists(options.Chip) ? options.Chip : $"no {options.Chip}";
            var found = library is null ? $"libgpiod not installed (apt-get install {LibGpiod.Package} to use GPIO)" : library;
            return DoctorCheck.Ok(CheckName, $"off (Gpio:Enabled is false); found: {chip}, {found}");
        }

        try
        {
            using var controller = LibGpiod.Open(options.Chip);
            return DoctorCheck.Ok(CheckName, $"{options.Chip}: {LibGpiod.Describe(controller)}");
        }
        catch (GpioException ex)
        {
            return DoctorCheck.Fail(CheckName, ex.Message);
        }
    }
}
