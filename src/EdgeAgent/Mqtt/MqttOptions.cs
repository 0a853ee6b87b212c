using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The connection to the station's MQTT broker (section <c>Mqtt</c>). An empty <see cref="Host"/> turns MQTT off.
/// </summary>
public sealed class MqttOptions : IValidatableObject
{
    public const string SectionName = "Mqtt";

    /// <summary>The IANA port of MQTT over TCP; MQTT over TLS is usually on 8883 and must then be set.</summary>
    public const int DefaultPort = 1883;

    /// <summary>Default <see cref="KeepAlive"/>: 30 s, so a dead link is noticed within about 45 s (1.5 x keep-alive, MQTT 3.1.1 section 3.1.2.10).</summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="ReconnectDelay"/>: 1 s.</summary>
    public static readonly TimeSpan DefaultReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default <see cref="MaxReconnectDelay"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxReconnectDelay = TimeSpan.FromSeconds(30);

    /// <summary>Default <see cref="IncomingQueueCapacity"/>.</summary>
    public const int DefaultIncomingQueueCapacity = 256;

    /// <summary>Where the CA bundle comes from when TLS is on and no <see cref="CaFile"/> is given (Debian's ca-certificates).</summary>
    public const string SystemCaPath = "/etc/ssl/certs";

    /// <summary>The broker's host name or address; empty (the default) turns MQTT off.</summary>
    public string Host { get; set; } = "";

    /// <summary>The broker's port; default <see cref="DefaultPort"/>.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// The MQTT client identifier; default (empty) <c>edge-anpr-{Site:Id}-{Camera:Id}</c>, see <see cref="ClientIdFor"/>.
    /// It must stay the same across restarts, or the broker cannot keep the persistent session.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9_.:-]{0,128}$", ErrorMessage = "Mqtt:ClientId must be up to 128 letters, digits, '-', '_', '.' or ':'.")]
    public string ClientId { get; set; } = "";

    /// <summary>The MQTT keep-alive, whole seconds; default <see cref="DefaultKeepAlive"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "18:12:15")]
    public TimeSpan KeepAlive { get; set; } = DefaultKeepAlive;

    /// <summary>Connect over TLS; also on whenever <see cref="CaFile"/> is set. Without a CA file the system's CAs (<see cref="SystemCaPath"/>) are trusted.</summary>
    public bool Tls { get; set; }

    /// <summary>PEM file of the CA(s) that signed the broker's certificate; only these are trusted then.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate, for brokers that require one; needs <see cref="KeyFile"/>.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM private key of <see cref="CertFile"/>, not encrypted (the service has nobody to type a pass phrase).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The user name given to the broker, if it wants one.</summary>
    public string? UserName { get; set; }

    /// <summary>A file whose first line is the password of <see cref="UserName"/>; it must be readable by the service user only (chmod 600).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// Start a clean session on every connect. Default false: the broker keeps this box's subscriptions and queues
    /// QoS 1 messages for it (watchlist deltas) while it is offline.
    /// </summary>
    public bool CleanSession { get; set; }

    /// <summary>First wait before reconnecting; default <see cref="DefaultReconnectDelay"/>, growing up to <see cref="MaxReconnectDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReconnectDelay { get; set; } = DefaultReconnectDelay;

    /// <summary>Longest wait between reconnect attempts; default <see cref="DefaultMaxReconnectDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = DefaultMaxReconnectDelay;

    /// <summary>Received messages waiting for their reader; when full the oldest is dropped and counted. Default <see cref="DefaultIncomingQueueCapacity"/>.</summary>
    [Range(1, 65536)]
    public int IncomingQueueCapacity { get; set; } = DefaultIncomingQueueCapacity;

    /// <summary>The protocol version; default <see cref="MqttProtocolVersion.V311"/>.</summary>
    [EnumDataType(typeof(MqttProtocolVersion))]
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V311;

    /// <summary>True when a broker is configured.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Host);

    /// <summary>True when the connection uses TLS: <see cref="Tls"/> is set or a <see cref="CaFile"/> is given.</summary>
    public bool UsesTls => Tls || !string.IsNullOrEmpty(CaFile);

    /// <summary><see cref="ClientId"/>, or <c>edge-anpr-{site}-{camera}</c> when it is empty.</summary>
    public string ClientIdFor(string site, string camera) =>
        string.IsNullOrEmpty(ClientId) ? string.Create(CultureInfo.InvariantCulture, $"edge-anpr-{site}-{camera}") : ClientId;

    /// <summary>Reads the password from <see cref="PasswordFile"/> (its first line), or null when none is configured.</summary>
    public string? ReadPassword()
    {
        if (string.IsNullOrEmpty(PasswordFile))
        {
            return null;
        }

        try
        {
            using var reader = new StreamReader(PasswordFile);
            return reader.ReadLine() ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MqttException($"Mqtt:PasswordFile '{PasswordFile}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Checks that need more than one key, or the file system; each message names its key.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsEnabled)
        {
            yield break;
        }

        if (KeepAlive.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            // MQTT 3.1.1 section 3.1.2.10: the CONNECT packet carries the keep-alive as a number of seconds.
            yield return new ValidationResult($"Mqtt:KeepAlive must be whole seconds (MQTT sends it in seconds), not {KeepAlive}.", [nameof(KeepAlive)]);
        }

        if (MaxReconnectDelay < ReconnectDelay)
        {
            yield return new ValidationResult(
                $"Mqtt:MaxReconnectDelay ({MaxReconnectDelay}) is shorter than Mqtt:ReconnectDelay ({ReconnectDelay}).", [nameof(MaxReconnectDelay)]);
        }

        foreach (var (name, path) in new[] { (nameof(CaFile), CaFile), (nameof(CertFile), CertFile), (nameof(KeyFile), KeyFile), (nameof(PasswordFile), PasswordFile) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"Mqtt:{name} '{path}' does not exist.", [name]);
            }
        }

        if (string.IsNullOrEmpty(CertFile) != string.IsNullOrEmpty(KeyFile))
        {
            yield return new ValidationResult(
                "Mqtt:CertFile and Mqtt:KeyFile go together: a client certificate needs its private key and the other way round.", [nameof(CertFile)]);
        }

        if (!string.IsNullOrEmpty(CertFile) && !UsesTls)
        {
            yield return new ValidationResult(
                "Mqtt:CertFile is set but TLS is off: set Mqtt:Tls to true or give Mqtt:CaFile.", [nameof(CertFile)]);
        }

        if (!string.IsNullOrEmpty(PasswordFile))
        {
            if (string.IsNullOrEmpty(UserName))
            {
                yield return new ValidationResult("Mqtt:PasswordFile is set without Mqtt:UserName.", [nameof(UserName)]);
            }

            if (File.Exists(PasswordFile) && ExposedTo(PasswordFile) is { } mode)
            {
                yield return new ValidationResult(
                    $"Mqtt:PasswordFile '{PasswordFile}' can be read by other users (mode {mode}): run chmod 600 {PasswordFile} (and chown it to the service user).",
                    [nameof(PasswordFile)]);
            }
        }
    }

    /// <summary>The file's mode in octal when its group or others may read or write it; null when only the owner may.</summary>
    private static string? ExposedTo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        const UnixFileMode exposed = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        var mode = File.GetUnixFileMode(path);
        return (mode & exposed) == 0 ? null : Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
    }
}
