using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IronAspire.AgentSupervisor.Data;

/// <summary>For <c>dotnet ef migrations add</c> only: migrations are generated without a database or the app's configuration.</summary>
internal sealed class SupervisorDbContextFactory : IDesignTimeDbContextFactory<SupervisorDbContext>
{
    public SupervisorDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SupervisorDbContext>().UseNpgsql("Host=localhost;Database=supervisordb").Options);
}
