using EdgeAnpr.Agent.Inference;

namespace EdgeAnpr.Agent.Tests.Inference;

public sealed class InferenceOptionsTests
{
    [Fact]
    public void Defaults_are_one_thread_each_without_spinning_and_valid()
    {
        var options = new InferenceOptions();

        Assert.Equal(1, options.IntraOpThreads);
        Assert.Equal(1, options.InterOpThreads);
        Assert.False(options.AllowSpinning);
        Assert.Equal(GraphOptimization.All, options.GraphOptimization);
        Assert.True(options.UseMemoryArena);
        Assert.True(new InferenceOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(65, 1)]
    [InlineData(1, -1)]
    public void Thread_counts_out_of_range_are_rejected_naming_the_key(int intra, int inter)
    {
        var result = new InferenceOptionsValidator().Validate(null, new InferenceOptions { IntraOpThreads = intra, InterOpThreads = inter });

        Assert.True(result.Failed);
        Assert.Contains(intra < 0 || intra > 64 ? "IntraOpThreads" : "InterOpThreads", result.FailureMessage, StringComparison.Ordinal);
    }
}
