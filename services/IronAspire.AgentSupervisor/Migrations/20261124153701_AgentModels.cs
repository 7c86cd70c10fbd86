using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IronAspire.AgentSupervisor.Migrations
{
    /// <inheritdoc />
    public partial class AgentModels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "Models",
                table: "agents",
                type: "text[]",
                nullable: false,
                // Agents created before allow-lists existed may use every model.
                defaultValueSql: "'{}'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Models",
                table: "agents");
        }
    }
}
