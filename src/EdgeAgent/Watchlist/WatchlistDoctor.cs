using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary><c>doctor</c>'s watchlist line: whether station sync can work (a trusted key and MQTT), and which keys.</summary>
internal static class WatchlistDoctor
{
    public const string CheckName = "watchlist-sync";

    public static DoctorCheck Check(WatchlistOptions options, MqttOptions mqtt)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mqtt);
        if (options.StationKeyFiles.Count == 0)
        {
            // With MQTT on, the box is meant to follow the station and cannot: a failure. Without, it stands alone.
            const string NoKey = "no station key (Watchlist:StationKeyFiles): station sync is refused and the list cannot follow the station";
            return mqtt.IsEnabled ? DoctorCheck.Fail(CheckName, NoKey) : DoctorCheck.Warn(CheckName, NoKey + "; MQTT is off too");
        }

        StationKeys keys;
        try
        {
            keys = StationKeys.Load(options.StationKeyFiles);
        }
        catch (ConfigurationException ex)
        {
            return DoctorCheck.Fail(CheckName, ex.Message);
        }

        using (keys)
        {
            var ids = string.Join(", ", keys.Ids);
            return mqtt.IsEnabled
                ? DoctorCheck.Ok(CheckName, $"on: trusting station key(s) {ids}")
                : DoctorCheck.Warn(CheckName, $"off: station key(s) {ids} configured but MQTT is off (Mqtt:Host)");
        }
    }
}
