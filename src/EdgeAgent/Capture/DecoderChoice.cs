using System.ComponentModel;
using System.Diagnostics;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// Which decoder one source's ffmpeg uses, and why: resolved once from <c>Capture:Decoder</c> before the first
/// connection, and switched to software for good when the hardware decoder fails (<see cref="FallBack"/>).
/// Thread-safe: capture's loop writes it, status readers read it.
/// </summary>
public sealed class DecoderChoice
{
    // ffmpeg -decoders answers in tens of milliseconds; a wedged ffmpeg must not hold capture's start.
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(10);

    private volatile HardwareDecoder? _hardware;

    private DecoderChoice(HardwareDecoder? hardware, string reason, bool doubtful = false)
    {
        _hardware = hardware;
        Reason = reason;
        Doubtful = doubtful;
    }

    /// <summary>A decoder asked for by name that does not look available here: capture will likely fall back (doctor warns).</summary>
    public bool Doubtful { get; }

    /// <summary>The decoder before <c>auto</c> has been resolved: software (what ffmpeg picks by itself).</summary>
    public static DecoderChoice Unresolved { get; } = new(null, "not resolved yet");

    /// <summary>The ffmpeg name of the hardware decoder in use, or null for ffmpeg's own software decoder.</summary>
    public string? Hardware => _hardware?.Name;

    /// <summary>Why this decoder was chosen (or dropped), one phrase for <c>doctor</c>.</summary>
    public string Reason { get; private set; }

    /// <summary>For status and the heartbeat: <c>software</c> or <c>h264_v4l2m2m (hardware)</c>.</summary>
    public string Description => _hardware is { } h ? $"{h.Name} (hardware)" : HardwareDecoders.Software;

    /// <summary>
    /// Drops the hardware decoder for software. True the first time (the caller logs it and reconnects), false when
    /// software was already in use (the failure is not the decoder's to fix).
    /// </summary>
    public bool FallBack(string failure)
    {
        if (Interlocked.Exchange(ref _hardware, null) is not { } dropped)
        {
            return false;
        }

        Reason = $"{dropped.Name} failed ({failure}); software from then on";
        return true;
    }

    /// <summary>Resolves a <c>Capture:Decoder</c> value on this machine; never throws (an ffmpeg that cannot list its decoders means software).</summary>
    public static async Task<DecoderChoice> ResolveAsync(string setting, string ffmpegPath, CancellationToken cancellationToken)
    {
        if (string.Equals(setting, HardwareDecoders.Software, StringComparison.Ordinal))
        {
            return new DecoderChoice(null, "Capture:Decoder is software");
        }

        var listed = await ListDecodersAsync(ffmpegPath, cancellationToken);
        return Resolve(setting, listed, File.Exists);
    }

    /// <summary>The choice for a setting, given ffmpeg's decoder list (null: ffmpeg did not answer) and a device test.</summary>
    internal static DecoderChoice Resolve(string setting, IReadOnlySet<string>? listed, Func<string, bool> deviceExists)
    {
        if (string.Equals(setting, HardwareDecoders.Software, StringComparison.Ordinal))
        {
            return new DecoderChoice(null, "Capture:Decoder is software");
        }

        if (!string.Equals(setting, HardwareDecoders.Auto, StringComparison.Ordinal))
        {
            // Asked for by name: tried even where it does not look available (a device the service may see and doctor,
            // run by another user, may not); the fallback catches it if it fails.
            var named = HardwareDecoders.Find(setting) ?? throw new ArgumentException(HardwareDecoders.SettingError, nameof(setting));
            var doubt = Unavailable(named, listed, deviceExists);
            return doubt is null
                ? new DecoderChoice(named, $"Capture:Decoder is {named.Name}")
                : new DecoderChoice(named, $"Capture:Decoder is {named.Name}, but {doubt}: expect a fall-back to software", doubtful: true);
        }

        var reasons = new List<string>();
        foreach (var candidate in HardwareDecoders.Known)
        {
            if (Unavailable(candidate, listed, deviceExists) is { } why)
            {
                reasons.Add($"{candidate.Name}: {why}");
                continue;
            }

            return new DecoderChoice(candidate, $"auto: {candidate.Board}, ffmpeg has {candidate.Name} and {candidate.Devices.First(deviceExists)} exists");
        }

        return new DecoderChoice(null, $"auto: no hardware decoder ({string.Join("; ", reasons)})");
    }

    private static string? Unavailable(HardwareDecoder decoder, IReadOnlySet<string>? listed, Func<string, bool> deviceExists)
    {
        if (listed is null)
        {
            return "ffmpeg did not list its decoders";
        }

        if (!listed.Contains(decoder.Name))
        {
            return "not in this ffmpeg";
        }

        return decoder.Devices.Any(deviceExists) ? null : $"no {string.Join(" or ", decoder.Devices)}";
    }

    private static async Task<IReadOnlySet<string>?> ListDecodersAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-decoders"])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LC_ALL"] = "C";
        try
        {
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ListTimeout);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                await stderr;
                return process.ExitCode == 0 ? HardwareDecoders.ParseDecoderList(output) : null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
        }
        catch (Win32Exception)
        {
            return null;
        }
    }
}
