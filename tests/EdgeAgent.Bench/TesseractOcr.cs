using System.ComponentModel;
using System.Diagnostics;

namespace EdgeAnpr.Bench;

/// <summary>
/// Tesseract 5 (Debian <c>tesseract-ocr</c>) as a command, the way it is usually put in front of plates:
/// <c>tesseract IMAGE stdout --psm 7</c> (one text line) with the options of the script, one process per crop. The
/// process is limited to one OpenMP thread (<c>OMP_THREAD_LIMIT=1</c>), like the ONNX models beside it.
/// </summary>
internal sealed class TesseractOcr(string description, IReadOnlyList<string> options)
{
    /// <summary>Latin plates: the English model, only the characters a Latin plate carries.</summary>
    public static TesseractOcr Latin { get; } =
        new("-l eng, A-Z0-9 whitelist", ["-l", "eng", "-c", "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]);

    /// <summary>Iranian plates: the Persian model (<c>tesseract-ocr-fas</c>).</summary>
    public static TesseractOcr Persian { get; } = new("-l fas", ["-l", "fas"]);

    public string Description => description;

    /// <summary>The first line of <c>tesseract --version</c>; null when it is not installed.</summary>
    public static string? Version()
    {
        try
        {
            var (_, output) = Execute(["--version"]);
            return output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Reads one crop with one process; the text as written.</summary>
    public string Read(string image)
    {
        var (code, output) = Execute([image, "stdout", "--psm", "7", .. options]);
        return code == 0 ? output : throw new InvalidOperationException($"tesseract {image} exited with {code}.");
    }

    /// <summary>
    /// Reads every crop in one process (an input file that lists the images, one a line): Tesseract's cost without
    /// its start-up, which loads the language model. Returns the wall time of the whole run.
    /// </summary>
    public TimeSpan ReadAllInOneProcess(IEnumerable<string> images)
    {
        var list = Path.Combine(Path.GetTempPath(), $"edgeanpr-bench-tesseract-{Environment.ProcessId}.txt");
        File.WriteAllLines(list, images);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var (code, _) = Execute([list, "stdout", "--psm", "7", .. options]);
            return code == 0 ? Stopwatch.GetElapsedTime(started) : throw new InvalidOperationException($"tesseract {list} exited with {code}.");
        }
        finally
        {
            File.Delete(list);
        }
    }

    private static (int ExitCode, string Output) Execute(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("tesseract") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["OMP_THREAD_LIMIT"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tesseract did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = errors.Result;
        return (process.ExitCode, output);
    }
}
