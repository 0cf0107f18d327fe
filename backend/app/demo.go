package app

import (
	"context"
	"fmt"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/domain"
)

// Demo office: UBND Phường Mỹ Tho, Tỉnh Đồng Tháp (code 28261, "Phường 1, Thành phố Mỹ Tho,
// Tiền Giang" before July 2025), with one account per role.
const (
	DemoUnitCode = "28261"
	DemoPassword = "demo1234"
)

// DemoUsers are the demo accounts, all with DemoPassword.
var DemoUsers = []struct {
	Username, FullName, Title string
	Role                      domain.Role
}{
	{"quantri", "Trần Minh Quân", "Công chức Văn phòng - Thống kê", domain.RoleOfficeAdmin},
	{"canbo", "Nguyễn Thị Thu Hà", "Công chức Bộ phận một cửa", domain.RoleClerk},
	{"lanhdao", "Lê Văn Đức", "Phó Chủ tịch", domain.RoleApprover},
}

// SeedDemo sets up the demo office with its users and a few applications in every state, so
// a newcomer can try every screen at once. It refuses an office that is already set up.
func (a *App) SeedDemo(ctx context.Context) error {
	admin, err := a.setup(ctx, SetupInput{
		OfficeName: "UBND Phường Mỹ Tho" + demoSuffix, AgencyKind: domain.AgencyCommuneCommittee, UnitCode: DemoUnitCode,
		AdminUsername: DemoUsers[0].Username, AdminFullName: DemoUsers[0].FullName, AdminPassword: DemoPassword,
	}, true)
	if err != nil {
		return err
	}
	if err := a.seedDemoTrust(ctx, admin.Username); err != nil {
		return fmt.Errorf("seed demo trust list: %w", err)
	}
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	actors := map[domain.Role]Actor{domain.RoleOfficeAdmin: admin}
	err = a.write(ctx, admin.Username, func(c *change) error {
		for _, u := range DemoUsers[1:] {
			rec, err := c.createUser(u.Username, u.FullName, u.Title, u.Role, hash)
			if err != nil {
				return err
			}
			actors[u.Role] = Actor{UserID: rec.ID, Username: rec.Username, FullName: rec.FullName, Role: u.Role}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed demo users: %w", err)
	}
	today := a.Now().In(vietnam)
	day := func(n int) string { return today.AddDate(0, 0, n).Format("2006-01-02") }
	samples := []domain.ApplicationInput{
		{FullName: "Phạm Thị Ngọc Ánh", BirthDate: "1988-07-12", Gender: domain.Female, IDNumber: "082188004521", Phone: "0912345678", ResidenceCommuneCode: DemoUnitCode, ResidenceStreet: "Khu phố 1", Workplace: "Bệnh viện Đa khoa Trung tâm Tiền Giang", PurposeCode: "work", RouteFrom: "Khu phố 1, Phường Mỹ Tho", RouteTo: "Bệnh viện Đa khoa Trung tâm Tiền Giang, Phường Đạo Thạnh", VehicleType: domain.VehicleMotorbike, VehiclePlate: "63-B1 234.56", ValidFrom: day(0), ValidTo: day(13)},
		{FullName: "Võ Văn Hùng", BirthDate: "1975-02-03", Gender: domain.Male, IDNumber: "082075001234", ResidenceCommuneCode: DemoUnitCode, ResidenceStreet: "Khu phố 3", PurposeCode: "essential_goods", RouteFrom: "Khu phố 3, Phường Mỹ Tho", RouteTo: "Chợ Mỹ Tho, Phường Mỹ Tho", VehicleType: domain.VehicleBicycle, ValidFrom: day(0), ValidTo: day(2)},
		{FullName: "Đặng Thị Hồng Nhung", BirthDate: "2001-11-30", Gender: domain.Female, IDNumber: "082301009876", Phone: "0387654321", ResidenceCommuneCode: DemoUnitCode, PurposeCode: "medical", RouteFrom: "Phường Mỹ Tho", RouteTo: "Trạm Y tế Phường Mỹ Tho", VehicleType: domain.VehicleWalk, ValidFrom: day(0), ValidTo: day(0)},
		{FullName: "Huỳnh Công Lý", BirthDate: "1969-05-21", Gender: domain.Male, IDNumber: "082069005555", Phone: "0903111222", ResidenceCommuneCode: DemoUnitCode, ResidenceStreet: "Khu phố 5", Workplace: "Công ty TNHH Thủy sản Mỹ Tho", PurposeCode: "essential_service", RouteFrom: "Khu phố 5, Phường Mỹ Tho", RouteTo: "Khu công nghiệp Mỹ Tho", VehicleType: domain.VehicleTruck, VehiclePlate: "63C-123.45", ValidFrom: day(1), ValidTo: day(7)},
	}
	clerk, approver := actors[domain.RoleClerk], actors[domain.RoleApprover]
	for i, in := range samples {
		app, err := a.AddApplication(ctx, clerk, in, i == 3)
		if err != nil {
			return fmt.Errorf("seed demo application %d: %w", i, err)
		}
		switch i {
		case 0:
			_, err = a.ApproveApplication(ctx, approver, app.ID)
		case 1:
			_, err = a.RejectApplication(ctx, approver, app.ID, "Mua lương thực: đề nghị đi chợ gần nơi cư trú theo quy định")
		}
		if err != nil {
			return fmt.Errorf("seed demo decision %d: %w", i, err)
		}
	}
	return nil
}
