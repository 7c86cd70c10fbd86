using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IronAspire.Analytics.Data.Migrations
{
    /// <inheritdoc />
    public partial class GatewayAndRateLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Null: the requested model served the call (every call recorded before fallback models existed).
            migrationBuilder.AddColumn<string>(
                name: "serving_model",
                table: "llm_requests",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "rate_limited",
                table: "daily_usage",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Days already aggregated count their rate-limit refusals from the raw rows still kept.
            migrationBuilder.Sql("""
                UPDATE daily_usage d SET rate_limited = r.n
                FROM (SELECT (timestamp AT TIME ZONE 'UTC')::date AS day, agent_id, coalesce(project_id, '') AS project_id, provider, model, count(*) AS n
                      FROM llm_requests WHERE error_type = 'rate_limit_exceeded' GROUP BY 1, 2, 3, 4, 5) r
                WHERE d.day = r.day AND d.agent_id = r.agent_id AND d.project_id = r.project_id AND d.provider = r.provider AND d.model = r.model
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "serving_model", table: "llm_requests");
            migrationBuilder.DropColumn(name: "rate_limited", table: "daily_usage");
        }
    }
}
