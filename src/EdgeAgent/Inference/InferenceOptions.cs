using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Inference;

/// <summary>How ONNX Runtime runs the plate models (section <c>Inference</c>); applies to every session the agent opens.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    public const int DefaultIntraOpThreads = 1;

    public const int DefaultInterOpThreads = 1;

    /// <summary>
    /// Threads one model run may split an operator across; default <see cref="DefaultIntraOpThreads"/> (1), which leaves
    /// the board's other cores to ffmpeg and the pipeline. 0 lets ONNX Runtime use one per physical core.
    /// </summary>
    [Range(0, 64)]
    public int IntraOpThreads { get; set; } = DefaultIntraOpThreads;

    /// <summary>
    /// Threads for running independent graph branches in parallel; default <see cref="DefaultInterOpThreads"/> (1).
    /// Only used by ONNX Runtime's parallel execution mode, so it rarely matters for these small sequential models.
    /// </summary>
    [Range(0, 64)]
    public int InterOpThreads { get; set; } = DefaultInterOpThreads;

    /// <summary>
    /// Whether idle intra-op threads spin waiting for the next operator instead of sleeping; default false. Spinning
    /// cuts latency when <see cref="IntraOpThreads"/> is above 1 but burns a core the camera decoder needs on a
    /// 2-core board (DESIGN.md: measure it both ways). Sets <c>session.intra_op.allow_spinning</c> and
    /// <c>session.inter_op.allow_spinning</c>.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Graph optimisations applied when a model is loaded; default <see cref="GraphOptimization.All"/>.</summary>
    [EnumDataType(typeof(GraphOptimization))]
    public GraphOptimization GraphOptimization { get; set; } = GraphOptimization.All;

    /// <summary>
    /// Whether ONNX Runtime keeps freed CPU memory in its arena for the next run; default true (fewer allocations per
    /// frame). Turning it off returns memory to the system after each run at some cost in latency.
    /// </summary>
    public bool UseMemoryArena { get; set; } = true;
}

/// <summary>ONNX Runtime's graph optimisation levels (<c>GraphOptimizationLevel</c> in onnxruntime_c_api.h).</summary>
public enum GraphOptimization
{
    /// <summary>No graph rewriting (<c>ORT_DISABLE_ALL</c>).</summary>
    Disabled = 0,

    /// <summary>Constant folding and redundant node removal (<c>ORT_ENABLE_BASIC</c>).</summary>
    Basic = 1,

    /// <summary>Also operator fusions (<c>ORT_ENABLE_EXTENDED</c>).</summary>
    Extended = 2,

    /// <summary>Everything, layout changes included (<c>ORT_ENABLE_ALL</c>).</summary>
    All = 99,
}

/// <summary>Source-generated check of <see cref="InferenceOptions"/>' attributes (for the options catalog).</summary>
[OptionsValidator]
internal sealed partial class InferenceOptionsValidator : IValidateOptions<InferenceOptions>;
