using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IronAspire.AgentSupervisor.Data;

public sealed class SupervisorDbContext(DbContextOptions<SupervisorDbContext> options) : DbContext(options)
{
    public DbSet<AgentRecord> Agents => Set<AgentRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var agent = modelBuilder.Entity<AgentRecord>();
        agent.ToTable("agents");
        agent.HasKey(a => a.Id);
        agent.Property(a => a.Id).HasMaxLength(64);
        agent.Property(a => a.Name).HasMaxLength(200);
        agent.Property(a => a.ProjectId).HasMaxLength(200);
        agent.Property(a => a.KeyHash).HasMaxLength(64);
        agent.HasIndex(a => a.KeyHash).IsUnique();
        agent.Property(a => a.State).HasConversion<string>().HasMaxLength(32);
        agent.Property(a => a.Restart).HasConversion<string>().HasMaxLength(32);
        agent.Property(a => a.Env)
            .HasColumnType("jsonb")
            .HasConversion(
                env => JsonSerializer.Serialize(env, JsonSerializerOptions.Default),
                json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, JsonSerializerOptions.Default) ?? new(),
                new ValueComparer<Dictionary<string, string>>(
                    (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                    d => d.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
                    d => new Dictionary<string, string>(d)));
        agent.Ignore(a => a.IsExternal);
        agent.Ignore(a => a.Limits);
    }
}
