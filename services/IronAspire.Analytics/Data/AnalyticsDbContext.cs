using System.Text;
using Microsoft.EntityFrameworkCore;

namespace IronAspire.Analytics.Data;

/// <summary>
/// The analytics schema. EF owns the schema and its migrations; ingestion writes with set-based SQL
/// (<see cref="Ingestion.EventWriter"/>) and queries read with SQL aggregates (<see cref="Queries.AnalyticsQueries"/>).
/// </summary>
public sealed class AnalyticsDbContext(DbContextOptions<AnalyticsDbContext> options) : DbContext(options)
{
    public DbSet<LlmRequestRecord> LlmRequests => Set<LlmRequestRecord>();
    public DbSet<PiiDetectionRecord> PiiDetections => Set<PiiDetectionRecord>();
    public DbSet<GovernanceEventRecord> GovernanceEvents => Set<GovernanceEventRecord>();
    public DbSet<DailyUsage> DailyUsage => Set<DailyUsage>();
    public DbSet<DailyPii> DailyPii => Set<DailyPii>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LlmRequestRecord>(e =>
        {
            e.ToTable("llm_requests");
            e.HasKey(r => r.EventId);
            e.Property(r => r.CostUsd).HasColumnType("numeric(20,9)");
            e.HasIndex(r => r.Timestamp);
            e.HasIndex(r => new { r.AgentId, r.Timestamp });
            e.HasIndex(r => r.RequestId);
        });

        modelBuilder.Entity<PiiDetectionRecord>(e =>
        {
            e.ToTable("pii_detections");
            e.HasKey(r => new { r.EventId, r.PiiType });
            e.HasIndex(r => r.Timestamp);
            e.HasIndex(r => r.RequestId);
        });

        modelBuilder.Entity<GovernanceEventRecord>(e =>
        {
            e.ToTable("governance_events");
            e.HasKey(r => r.EventId);
            e.Property(r => r.Payload).HasColumnType("jsonb");
            e.HasIndex(r => r.Timestamp);
            e.HasIndex(r => new { r.EventType, r.Timestamp });
        });

        modelBuilder.Entity<DailyUsage>(e =>
        {
            e.ToTable("daily_usage");
            e.HasKey(r => new { r.Day, r.AgentId, r.ProjectId, r.Provider, r.Model });
            e.Property(r => r.CostUsd).HasColumnType("numeric(20,9)");
        });

        modelBuilder.Entity<DailyPii>(e =>
        {
            e.ToTable("daily_pii");
            e.HasKey(r => new { r.Day, r.AgentId, r.ProjectId, r.PiiType });
        });

        // snake_case columns, so the hand-written SQL reads like SQL.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }
}
