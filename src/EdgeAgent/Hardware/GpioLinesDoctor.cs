using System.Device.Gpio;
using System.Globalization;
using EdgeAnpr.Agent.Doctor;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// <c>doctor</c>'s line for the wired parts: each configured line's chip exists and may be opened by this user (with a
/// hint naming the chip's group and whether this user is in it), and each line is one the chip has. Lines are not
/// requested: that would change an output, and the running agent holds them anyway.
/// </summary>
internal static class GpioLinesDoctor
{
    public const string CheckName = "gpio lines";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    /// <param name="options">The <c>Gpio</c> section.</param>
    /// <param name="openChip">Opens the chip to count its lines: <see cref="LibGpiod.Open"/>; tests give a fake.</param>
    /// <param name="cancellationToken">Ends the group look-ups.</param>
    public static async Task<DoctorCheck> CheckAsync(GpioOptions options, Func<string, GpioController> openChip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openChip);
        var parts = GpioPart.Configured(options);
        if (parts.Count == 0)
        {
            return DoctorCheck.Ok(CheckName, "no part wired (Gpio:Relay, Gpio:StatusLed, Gpio:LoopDetector are absent)");
        }

        var wired = string.Join(", ", parts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Line}")));
        if (!File.Exists(options.Chip))
        {
            var outcome = options.Enabled ? CheckOutcome.Fail : CheckOutcome.Ok;
            return new DoctorCheck(CheckName, outcome, $"{wired} on {options.Chip}, which does not exist (`ls /dev/gpiochip*` lists the chips){(options.Enabled ? "" : "; GPIO is off")}");
        }

        try
        {
            using var handle = File.OpenHandle(options.Chip, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (UnauthorizedAccessException)
        {
            var hint = AccessHint(options.Chip, await GroupOfAsync(options.Chip, cancellationToken), await GroupsOfUserAsync(cancellationToken), Environment.UserName);
            return new DoctorCheck(CheckName, options.Enabled ? CheckOutcome.Fail : CheckOutcome.Warn, $"{wired}: {hint}");
        }
        catch (IOException ex)
        {
            return DoctorCheck.Fail(CheckName, $"{wired}: {options.Chip} cannot be opened: {ex.Message}");
        }

        int lines;
        try
        {
            using var controller = openChip(options.Chip);
            lines = controller.PinCount;
        }
        catch (GpioException ex)
        {
            // The gpio line above says why (library, chip); the lines themselves could not be counted.
            return new DoctorCheck(CheckName, options.Enabled ? CheckOutcome.Fail : CheckOutcome.Ok, $"{wired} on {options.Chip}: lines not counted ({ex.Message})");
        }

        var outside = parts.Where(p => p.Line >= lines).ToList();
        return outside.Count == 0
            ? DoctorCheck.Ok(CheckName, string.Create(CultureInfo.InvariantCulture, $"{wired} on {options.Chip} ({lines} lines), readable and writable by this user"))
            : DoctorCheck.Fail(CheckName, string.Join("; ", outside.Select(p => string.Create(
                CultureInfo.InvariantCulture, $"{p.Key}:Line is {p.Line}, but {options.Chip} has lines 0 to {lines - 1} (`gpioinfo` lists them)"))));
    }

    /// <summary>What to do about a chip this user may not open: the group that owns it, and whether this user is in it.</summary>
    internal static string AccessHint(string chip, string? group, IReadOnlyCollection<string>? userGroups, string user)
    {
        var owner = group is null ? "" : $" (group {group})";
        var membership = group is null || userGroups is null
            ? ""
            : userGroups.Contains(group)
                ? $"; {user} is in {group}, so log in again (or restart the service) for the membership to apply"
                : $"; {user} is not in {group}: usermod -aG {group} {user}";
        return $"{chip}{owner} may not be opened by {user}{membership}. The package's udev rule (60-edge-anpr-gpio.rules) gives the gpio group the chips; " +
               "the service user edge-anpr must be in that group";
    }

    private static async Task<string?> GroupOfAsync(string path, CancellationToken cancellationToken) =>
        await Checks.RunAsync("stat", ["-c", "%G", path], CommandTimeout, cancellationToken) is { ExitCode: 0 } stat ? stat.Output.Trim() : null;

    private static async Task<IReadOnlyCollection<string>?> GroupsOfUserAsync(CancellationToken cancellationToken) =>
        await Checks.RunAsync("id", ["-Gn"], CommandTimeout, cancellationToken) is { ExitCode: 0 } id
            ? id.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
}
