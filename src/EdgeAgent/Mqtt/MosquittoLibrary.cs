using System.Globalization;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// libmosquitto's process-wide state: <c>mosquitto_lib_init</c> once, before the first client, and
/// <c>mosquitto_lib_cleanup</c> once, when the process exits with no client left running (cleanup tears down
/// OpenSSL state a live network thread could still be using).
/// </summary>
internal static class MosquittoLibrary
{
    public const string Package = "libmosquitto1";

    private static readonly Lock Gate = new();
    private static bool _initialised;
    private static int _clients;
    private static string? _version;

    /// <summary>The library's version, e.g. <c>2.0.11</c>; loads and initialises the library.</summary>
    public static string Version
    {
        get
        {
            Acquire();
            Release();
            return _version!;
        }
    }

    /// <summary>Initialises the library on first use and counts one more client. Throws <see cref="MqttException"/> when it is missing.</summary>
    public static void Acquire()
    {
        lock (Gate)
        {
            if (!_initialised)
            {
                try
                {
                    MosquittoNative.LibVersion(out var major, out var minor, out var revision);
                    _version = string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}.{revision}");
                    var rc = MosquittoNative.LibInit();
                    if (rc != MosquittoError.Success)
                    {
                        throw new MqttException($"mosquitto_lib_init failed (error {rc})", rc);
                    }
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
                {
                    throw new MqttException(
                        $"{MosquittoNative.LibraryName} cannot be loaded ({ex.Message.Split('\n')[0].Trim()}): apt-get install {Package}", ex);
                }

                _initialised = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUp();
            }

            _clients++;
        }
    }

    /// <summary>Counts one client fewer; the library itself stays initialised until the process exits.</summary>
    public static void Release()
    {
        lock (Gate)
        {
            _clients--;
        }
    }

    private static void CleanUp()
    {
        lock (Gate)
        {
            if (_initialised && _clients == 0)
            {
                _ = MosquittoNative.LibCleanup();
                _initialised = false;
            }
        }
    }
}
