using IronAspire.AgentSupervisor.Processes;
using IronAspire.Contracts.Agents;
using IronAspire.Validation;

namespace IronAspire.AgentSupervisor.Apis;

/// <summary>Checks of the control API's input: a 400 naming the field, never a 500 or a half-created agent.</summary>
internal static class AgentValidation
{
    public const decimal MaxBudgetUsd = 1_000_000m;

    public static NewAgent? Validate(CreateAgentRequest request, AgentUser? user, out Dictionary<string, string[]> errors)
    {
        errors = [];
        // Checked before anything is created: a name PostgreSQL cannot store (a NUL) used to fail after the budget was set.
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200 || InputText.IsUnfitForId(request.Name))
        {
            errors["name"] = ["name is required: 1-200 characters, without control characters."];
        }

        Budget(errors, "budgetUsd", request.BudgetUsd);
        Period(errors, "budgetPeriod", request.BudgetPeriod);
        if (request.ProjectId is not null && !IsId(request.ProjectId))
        {
            errors["projectId"] = ["projectId is 1-200 characters, without ':' '|' or control characters."];
        }

        var restart = AgentStates.ParseRestart(request.Restart);
        if (restart is null)
        {
            errors["restart"] = ["restart is 'never' or 'on-failure'."];
        }

        if (request.MaxRestarts is < 0 or > 1000)
        {
            errors["maxRestarts"] = ["maxRestarts is between 0 and 1000."];
        }

        if (request.WorkingDirectory is not null && (InputText.IsUnfitForId(request.WorkingDirectory) || !Directory.Exists(request.WorkingDirectory)))
        {
            errors["workingDirectory"] = [$"workingDirectory '{request.WorkingDirectory}' does not exist."];
        }

        if (request.Command is not null)
        {
            if (string.IsNullOrWhiteSpace(request.Command) || InputText.IsUnfitForId(request.Command))
            {
                errors["command"] = ["command, when given, names an executable."];
            }
            else if (!errors.ContainsKey("workingDirectory") && CommandResolver.Resolve(request.Command, request.WorkingDirectory, user) is null)
            {
                errors["command"] = [$"'{request.Command}' is not an executable file (looked up on PATH for a bare name)."];
            }
        }
        else if (request.Args is { Count: > 0 })
        {
            errors["args"] = ["args need a command."];
        }

        if (request.Args is { } args && (args.Count > 1000 || args.Any(a => a is null || InputText.IsUnfitForText(a))))
        {
            errors["args"] = ["args: at most 1000 strings, without NUL characters."];
        }

        Models(errors, request.Models);
        Limits(errors, request.Limits);
        if (request.Env is { } env && env.Any(e => e.Key.Length == 0 || e.Key.Contains('=') || InputText.IsUnfitForText(e.Key) || e.Value is null || InputText.IsUnfitForText(e.Value)))
        {
            errors["env"] = ["env names are non-empty and without '='; values are strings without NUL characters."];
        }

        return errors.Count > 0
            ? null
            : new NewAgent(request.Name!.Trim(), request.Command, request.Args ?? [], request.WorkingDirectory,
                request.Env ?? [], request.BudgetUsd!.Value, request.ProjectId, restart!.Value, request.MaxRestarts ?? 0,
                Distinct(request.Models), request.BudgetPeriod?.ToLowerInvariant(), request.Limits is { IsEmpty: false } limits ? limits : null);
    }

    public static List<string>? Models(SetModelsRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (request.Models is null)
        {
            errors["models"] = ["models is required: a list of model names or patterns, empty for every model."];
            return null;
        }

        Models(errors, request.Models);
        return errors.Count > 0 ? null : Distinct(request.Models);
    }

    private static void Models(Dictionary<string, string[]> errors, List<string>? models)
    {
        if (models is not null && (models.Count > 100 || !models.All(IsModelPattern)))
        {
            errors["models"] = ["models: at most 100 model names or patterns ('*' for any run of characters), each 1-200 letters, digits and - . _ : / @ *."];
        }
    }

    private static List<string> Distinct(List<string>? models) => models?.Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? [];

    private static void Period(Dictionary<string, string[]> errors, string field, string? period)
    {
        if (period is not null && period.ToLowerInvariant() is not ("lifetime" or "daily" or "monthly"))
        {
            errors[field] = [$"{field} is lifetime, daily or monthly (UTC)."];
        }
    }

    public static AgentLimits? Update(UpdateAgentRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (request.Limits is null)
        {
            errors["limits"] = ["limits is required: {requestsPerMinute, tokensPerMinute, maxConcurrent}, each optional ({} removes them)."];
            return null;
        }

        Limits(errors, request.Limits);
        return errors.Count > 0 ? null : request.Limits;
    }

    private static void Limits(Dictionary<string, string[]> errors, AgentLimits? limits)
    {
        if (limits?.RequestsPerMinute is < 1 or > 1_000_000)
        {
            errors["limits.requestsPerMinute"] = ["limits.requestsPerMinute is between 1 and 1000000 (omit it for no limit)."];
        }

        if (limits?.TokensPerMinute is < 1 or > 1_000_000_000_000)
        {
            errors["limits.tokensPerMinute"] = ["limits.tokensPerMinute is between 1 and 10^12 (omit it for no limit)."];
        }

        if (limits?.MaxConcurrent is < 1 or > 100_000)
        {
            errors["limits.maxConcurrent"] = ["limits.maxConcurrent is between 1 and 100000 (omit it for no limit)."];
        }
    }

    public static decimal? Budget(SetBudgetRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var limit = request.BudgetUsd ?? request.LimitUsd;
        Budget(errors, "budgetUsd", limit);
        Period(errors, "period", request.Period);
        return errors.Count > 0 ? null : limit;
    }

    private static void Budget(Dictionary<string, string[]> errors, string field, decimal? value)
    {
        if (value is not { } usd || usd <= 0 || usd > MaxBudgetUsd)
        {
            errors[field] = [$"{field} is required: more than 0 and at most {MaxBudgetUsd:0} USD."];
        }
    }

    // The Router stores an allow-list comma-separated (AgentKeyFormat.ModelsField), so a pattern never holds ',' or spaces.
    private static bool IsModelPattern(string? pattern) =>
        pattern is { Length: > 0 and <= 200 } && pattern.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':' or '/' or '@' or '*');

    private static bool IsId(string value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 200 && !value.Contains(':') && !value.Contains('|') && !InputText.IsUnfitForId(value);
}
