namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Finds and watches libmosquitto's network threads through <c>/proc/self/task</c>. mosquitto_loop_forever, which
/// mosquitto_loop_start runs, returns (ending the thread, and with it every reconnect) on a TLS error, a protocol
/// error, and on any error while errno is EPROTO (a TLS close or read failure): lib/loop.c, "Quit after fatal
/// errors". libmosquitto reports none of these reliably (a failed TLS handshake calls no callback), but it names
/// its thread <c>mosquitto loop</c> (pthread_setname_np in mosquitto_loop_start), so the supervisor can see it go.
/// </summary>
internal static class NetworkThreads
{
    public const string ThreadName = "mosquitto loop";

    private const string TaskDirectory = "/proc/self/task";

    /// <summary>Held around mosquitto_loop_start, so the one new thread that appears is the caller's.</summary>
    public static Lock StartGate { get; } = new();

    /// <summary>The ids of the process's libmosquitto network threads now; empty without /proc.</summary>
    public static HashSet<int> Current()
    {
        var threads = new HashSet<int>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories(TaskDirectory))
            {
                if (int.TryParse(Path.GetFileName(directory), out var id) && IsAlive(id))
                {
                    threads.Add(id);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc (or not readable): nothing can be watched.
        }

        return threads;
    }

    /// <summary>Whether thread <paramref name="id"/> of this process is still a libmosquitto network thread.</summary>
    public static bool IsAlive(int id)
    {
        try
        {
            return File.ReadAllText($"{TaskDirectory}/{id}/comm").TrimEnd('\n') == ThreadName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone (ENOENT, or ESRCH while it exits).
            return false;
        }
    }
}
