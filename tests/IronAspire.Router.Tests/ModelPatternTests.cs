using IronAspire.Router.Providers;

namespace IronAspire.Router.Tests;

public class ModelPatternTests
{
    [Theory]
    [InlineData("gpt-*", "gpt-4o-mini", true)]
    [InlineData("gpt-*", "GPT-4O", true)]
    [InlineData("o1*", "o1-preview", true)]
    [InlineData("o3*", "o1", false)]
    [InlineData("claude-*", "gpt-4o", false)]
    [InlineData("*-mini", "gpt-4o-mini", true)]
    [InlineData("gpt-4o", "gpt-4o-mini", false)]
    [InlineData("*", "anything", true)]
    [InlineData("text-embedding-*", "text-embedding-3-small", true)]
    public void Glob_patterns_match_model_names(string pattern, string model, bool expected) =>
        Assert.Equal(expected, ModelPattern.Matches(pattern, model));

    [Theory]
    [InlineData("gpt-*", "gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("gpt-4o", "gpt-*", "gpt-4o")]
    [InlineData("gpt-*", "gpt-4o*", "gpt-4o*")]
    [InlineData("gpt-*", "gpt-*", "gpt-*")]
    [InlineData("claude-*", "gpt-4o", null)]
    [InlineData("gpt-4o", "gpt-4o-mini", null)]
    [InlineData("gpt-4*", "*-mini", "gpt-4*-mini")]
    [InlineData("*-mini", "gpt-4*", "gpt-4*-mini")]
    [InlineData("gpt-4o*", "gpt-4*-mini", "gpt-4o*-mini")]
    [InlineData("gpt-4*", "*-nano", "gpt-4*-nano")]
    [InlineData("gpt-*", "claude-*", null)]
    [InlineData("*-mini", "*-nano", null)]
    [InlineData("gpt-*-mini", "gpt-4*-*", null)]
    public void The_narrower_of_a_provider_pattern_and_an_allowed_pattern_is_listed(string provider, string allowed, string? expected) =>
        Assert.Equal(expected, ModelPattern.Narrower(provider, allowed));
}
