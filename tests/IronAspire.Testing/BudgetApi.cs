using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IronAspire.Testing;

/// <summary>Reads of the Budget service's API that tests share.</summary>
public static class BudgetApi
{
    /// <summary>
    /// A budget's state (<c>/v1/budgets/{id}</c> or a project's path) once nothing is reserved — every call settled — or
    /// as it stands after <paramref name="attempts"/> reads 100 ms apart.
    /// </summary>
    public static async Task<JsonObject> WaitSettledAsync(this HttpClient budget, string path, int attempts = 100)
    {
        JsonObject state = null!;
        for (var i = 0; i < attempts; i++)
        {
            state = (await budget.GetFromJsonAsync<JsonObject>(path))!;
            if (state["reservedUsd"]!.GetValue<decimal>() == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        return state;
    }
}
