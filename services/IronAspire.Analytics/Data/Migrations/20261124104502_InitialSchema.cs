using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IronAspire.Analytics.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "daily_pii",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    agent_id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    pii_type = table.Column<string>(type: "text", nullable: false),
                    detections = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_daily_pii", x => new { x.day, x.agent_id, x.project_id, x.pii_type });
                });

            migrationBuilder.CreateTable(
                name: "daily_usage",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    agent_id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    provider = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    failures = table.Column<long>(type: "bigint", nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cached_input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(20,9)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_daily_usage", x => new { x.day, x.agent_id, x.project_id, x.provider, x.model });
                });

            migrationBuilder.CreateTable(
                name: "governance_events",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_type = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_governance_events", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "llm_requests",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    request_id = table.Column<string>(type: "text", nullable: false),
                    agent_id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: true),
                    provider = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    failed = table.Column<bool>(type: "boolean", nullable: false),
                    error_type = table.Column<string>(type: "text", nullable: true),
                    status_code = table.Column<int>(type: "integer", nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cached_input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(20,9)", nullable: false),
                    latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    time_to_first_byte_ms = table.Column<double>(type: "double precision", nullable: true),
                    streamed = table.Column<bool>(type: "boolean", nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_llm_requests", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "pii_detections",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pii_type = table.Column<string>(type: "text", nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false),
                    request_id = table.Column<string>(type: "text", nullable: false),
                    agent_id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: true),
                    direction = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pii_detections", x => new { x.event_id, x.pii_type });
                });

            migrationBuilder.CreateIndex(
                name: "IX_governance_events_event_type_timestamp",
                table: "governance_events",
                columns: new[] { "event_type", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_governance_events_timestamp",
                table: "governance_events",
                column: "timestamp");

            migrationBuilder.CreateIndex(
                name: "IX_llm_requests_agent_id_timestamp",
                table: "llm_requests",
                columns: new[] { "agent_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_llm_requests_request_id",
                table: "llm_requests",
                column: "request_id");

            migrationBuilder.CreateIndex(
                name: "IX_llm_requests_timestamp",
                table: "llm_requests",
                column: "timestamp");

            migrationBuilder.CreateIndex(
                name: "IX_pii_detections_request_id",
                table: "pii_detections",
                column: "request_id");

            migrationBuilder.CreateIndex(
                name: "IX_pii_detections_timestamp",
                table: "pii_detections",
                column: "timestamp");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "daily_pii");

            migrationBuilder.DropTable(
                name: "daily_usage");

            migrationBuilder.DropTable(
                name: "governance_events");

            migrationBuilder.DropTable(
                name: "llm_requests");

            migrationBuilder.DropTable(
                name: "pii_detections");
        }
    }
}
