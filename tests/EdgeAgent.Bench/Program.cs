using EdgeAnpr.Bench;

// Benchmarks are programs that print numbers, not tests (STYLE.md): dotnet run -c Release -- <bench> [options]
return args.FirstOrDefault() switch
{
    "capture" => await CaptureBench.RunAsync(args[1..]),
    "outbox" => RunOutbox(),
    "detection" => DetectionBench.Run(args[1..]),
    "reader" => ReaderBench.Run(),
    "inference" => InferenceRunBench.Run(),
    "ocr" => OcrBench.Run(args[1..]),
    "delivery" => await DeliveryBench.RunAsync(args[1..]),
    "replay" => await ReplayBench.RunAsync(args[1..]),
    "all" => await RunAllAsync(),
    _ => Usage(),
};

static int RunOutbox()
{
    OutboxBench.Run();
    return 0;
}

static async Task<int> RunAllAsync()
{
    var status = await CaptureBench.RunAsync([]);
    Console.WriteLine();
    status |= RunOutbox();
    Console.WriteLine();
    status |= DetectionBench.Run([]);
    Console.WriteLine();
    status |= ReaderBench.Run();
    Console.WriteLine();
    status |= InferenceRunBench.Run();
    Console.WriteLine();
    status |= await ReplayBench.RunAsync([]);
    Console.WriteLine();
    return status | OcrBench.Run([]);
}

static int Usage()
{
    Console.Error.WriteLine("usage: EdgeAnpr.Bench <bench> [options]");
    Console.Error.WriteLine("  all                                              every benchmark below, with defaults");
    Console.Error.WriteLine("  capture [--runs N] [--seconds S] [--clips DIR]   frames/s, CPU, allocations and RSS of ffmpeg capture");
    Console.Error.WriteLine("  detection                                        detector ms per 1280x720 frame (1 thread) and motion-gate cost");
    Console.Error.WriteLine("  reader                                           plate reader ms per plate (1 thread, spinning off and on), real crops");
    Console.Error.WriteLine("  inference                                        session.Run alone for each committed model: ms and managed bytes per run");
    Console.Error.WriteLine("  replay [SECONDS]                                 the whole pipeline on a 1920x1080 25 fps clip: frames/s, CPU/frame, keeps up on one core?");
    Console.Error.WriteLine("  ocr [--limit N] [--ppocr DIR] [--verbose]        our readers vs Tesseract 5 and PP-OCRv4 on held-out crops: exact, ms per plate");
    Console.Error.WriteLine("  delivery [--hits N] [--rate R] [--latency-hits N] [--backlog N]   hits/s through outbox and broker, read-to-PUBACK latency, drain rate");
    Console.Error.WriteLine("  outbox                                           durable enqueue and delete rates of the SQLite outbox");
    return 2;
}
