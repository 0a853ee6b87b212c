using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Status;

/// <summary>The running agent's local status endpoint (section <c>Status</c>): a Unix socket the CLI asks.</summary>
public sealed class StatusOptions : IValidatableObject
{
    public const string SectionName = "Status";

    /// <summary>
    /// Default <see cref="SocketPath"/>: under the folder systemd makes for the unit (<c>RuntimeDirectory=edge-anpr</c>),
    /// gone when the service stops.
    /// </summary>
    public const string DefaultSocketPath = "/run/edge-anpr/status.sock";

    /// <summary>Default <see cref="RequestTimeout"/>: far longer than a local client takes to write one line.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>sun_path</c> holds 108 bytes on Linux, the terminating NUL included (unix(7)); a longer path cannot be bound.
    /// </summary>
    internal const int MaxSocketPathBytes = 107;

    /// <summary>The socket; default <see cref="DefaultSocketPath"/>. Made mode 0660, so the service's group can ask it.</summary>
    [Required]
    public string SocketPath { get; set; } = DefaultSocketPath;

    /// <summary>
    /// How long a client may take to write its request line, and a snapshot to wait for the next frame; default
    /// <see cref="DefaultRequestTimeout"/> (5 s). A client that connects and writes nothing is closed after it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SocketPath) && Encoding.UTF8.GetByteCount(SocketPath) > MaxSocketPathBytes)
        {
            yield return new ValidationResult(
                $"Status:SocketPath is {Encoding.UTF8.GetByteCount(SocketPath)} bytes long; a Unix socket path holds at most {MaxSocketPathBytes}.",
                [nameof(SocketPath)]);
        }
    }
}

/// <summary>Source-generated check of <see cref="StatusOptions"/>' attributes (for the options catalog).</summary>
[OptionsValidator]
internal sealed partial class StatusOptionsValidator : IValidateOptions<StatusOptions>;
