using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// Video and image files made by ffmpeg for the tests, once per test run (cached under the temp
/// directory, keyed by name). Nothing binary is committed.
/// </summary>
internal static class TestClips
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Made = new();

    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "clips");

    /// <summary>
    /// An H.264 clip whose content says which frame it is: the left half of frame N has luma 16 + 4N
    /// (limited range, so gray <see cref="RampLevel"/> after ffmpeg's conversion to full-range gray),
    /// the right half is white. Checks size, stride, order and pixel values in one look.
    /// </summary>
    public static Task<string> RampAsync(int frames = 50, int fps = 25, int width = 320, int height = 240) =>
        MakeAsync(
            $"ramp-{width}x{height}-{fps}fps-{frames}.mp4",
            "-f", "lavfi",
            "-i", $"color=c=black:size={width}x{height}:rate={fps},format=yuv420p,geq=lum='if(lt(X,W/2),16+4*N,235)':cb=128:cr=128",
            "-frames:v", Invariant(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p");

    /// <summary>The gray value of the left half of ramp frame <paramref name="frame"/> (frames 0-54 stay in range).</summary>
    public static int RampLevel(int frame) => (int)Math.Round(4 * frame * 255 / 219.0);

    /// <summary>ffmpeg's test pattern as an H.264 clip, the form the brief asks for.</summary>
    public static Task<string> TestPatternAsync(int width, int height, int fps, int frames, string source = "testsrc") =>
        MakeAsync(
            $"{source}-{width}x{height}-{fps}fps-{frames}.mp4",
            "-f", "lavfi", "-i", $"{source}=size={width}x{height}:rate={fps}",
            "-frames:v", Invariant(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p");

    /// <summary>A still image (png, jpg): left half black, right half white.</summary>
    public static Task<string> ImageAsync(string extension, int width = 320, int height = 240) =>
        MakeAsync(
            $"still-{width}x{height}.{extension}",
            "-f", "lavfi",
            "-i", $"color=c=black:size={width}x{height},drawbox=x=iw/2:y=0:w=iw/2:h=ih:color=white:t=fill",
            "-frames:v", "1");

    /// <summary>
    /// Vehicles passing a camera, made from a labelled photo: for <paramref name="visible"/> seconds of every
    /// <paramref name="period"/> the photo slides sideways through the frame (the car moves), then the picture is black
    /// for longer than a track's gap (the car has gone), <paramref name="passes"/> times. Each appearance is one vehicle
    /// pass of the photo's plate. 864x576 H.264 at 25 fps, from the left 864 columns onward of a 1024-wide photo.
    /// </summary>
    public static Task<string> VehiclePassesAsync(string photo, int passes, double visible = 0.6, double period = 1.8)
    {
        var seconds = (passes * period).ToString("0.###", CultureInfo.InvariantCulture);
        var v = visible.ToString("0.###", CultureInfo.InvariantCulture);
        var p = period.ToString("0.###", CultureInfo.InvariantCulture);
        return MakeAsync(
            $"passes-{Path.GetFileNameWithoutExtension(photo)}-{passes}x{v}of{p}.mp4",
            "-loop", "1", "-framerate", "25", "-i", photo, "-t", seconds,
            "-vf", $"scale=1024:576,crop=864:576:x='min(160,mod(t,{p})*200)':y=0,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='gte(mod(t,{p}),{v})'",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "25");
    }

    /// <summary>A sound file: a media file ffmpeg reads, with no video in it.</summary>
    public static Task<string> AudioOnlyAsync() =>
        MakeAsync("tone.wav", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2");

    /// <summary>A text file with a video file's name: what a mistyped path often points at.</summary>
    public static string NotAVideo()
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, "notes.mp4");
        File.WriteAllText(path, "This is not a video.\n");
        return path;
    }

    /// <summary>Makes <paramref name="name"/> with <c>ffmpeg ARGS name</c> unless this run already has.</summary>
    public static Task<string> MakeAsync(string name, params string[] ffmpegArguments) =>
        Made.GetOrAdd(name, _ => new Lazy<Task<string>>(() => RunFfmpegAsync(name, ffmpegArguments))).Value;

    private static async Task<string> RunFfmpegAsync(string name, string[] arguments)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        if (File.Exists(path))
        {
            return path;
        }

        // Written beside, then moved: another test process making the same clip never sees half a file.
        var partial = Path.Combine(Folder, $"{Guid.NewGuid():N}-{name}");
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments, partial])
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"The tests make their clips with ffmpeg, which cannot run ({ex.Message}): apt-get install ffmpeg.", ex);
        }

        using (process)
        {
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not make {name}: {errors.Trim()}");
            }
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
