using System.Globalization;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>Reads a Linux thermal zone (sysfs thermal ABI: an integer in millidegrees Celsius).</summary>
internal static class CpuTemperature
{
    /// <summary>Degrees Celsius to one decimal, or null where the file is missing, unreadable or not a number.</summary>
    public static double? Read(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milli)
                ? Math.Round(milli / 1000.0, 1)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
