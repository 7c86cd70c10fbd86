using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IronAspire.Analytics.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the service (no database is contacted).</summary>
internal sealed class AnalyticsDbContextFactory : IDesignTimeDbContextFactory<AnalyticsDbContext>
{
    public AnalyticsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AnalyticsDbContext>().UseNpgsql("Host=localhost;Database=analyticsdb").Options);
}
