package permit

// vnDictionary is the frozen word list of the GDD1 text codec: 256 syllables common in
// Vietnamese personal names and place names (administrative units, hamlets, streets,
// landmarks) and the usual address abbreviations, NFC, in their natural case (lower case,
// or upper case for abbreviations such as TP). A word's index is its 8-bit code, so the list
// is part of the wire format: never reorder, edit or extend it; a new list needs a new prefix
// (GDD2). Any text still encodes without it, only larger.
const vnDictionary = `
nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đào lâm
trương mai cao lương tạ châu quách tô thái hà la kiều trịnh đoàn lưu tăng nghiệp từ diệp
văn thị ngọc minh thanh quốc hữu đức kim thu xuân hoài bảo gia anh công đình hồng bích
thúy diễm an bình chi cường dũng dung duy giang hải hạnh hằng hiền hiếu hiệp hòa hoa
hùng hưng hương huy huyền khánh khoa kiệt lan linh long nam nga ngân nghĩa nhân nhung
nhi như phát phong phú phúc phương phước quang quân quý sang sơn tài tâm tân thành thảo
thắng thịnh thủy tiến tín toàn trang trâm trí trinh trung tuấn tú tùng tuyết uyên vân
việt vinh vy yến lộc lợi hậu khang khải khôi luân oanh quyên quỳnh tường thiện thông thư
thương tiên trọng đạt định điệp hân huệ lệ liên loan lực mạnh my nguyên nhàn nhựt hoàn
kha tấn thạnh trúc hai ba năm mỹ đông tây bắc điền thới thuận hội lập đạo vĩnh quới hảo
nhơn hựu trường hiển kiểng nhị xã phường trấn huyện quận phố tỉnh ấp khu tổ đường số lộ
chợ cầu bến cồn kênh rạch giồng vàm cái bè gò cai lậy tho gạo tháp tiền đồng bệnh viện
học ty nhà máy ủy ban dân trạm y tế ngã xe cảng cá đa đại lạc hạ thượng nhứt nhì mới cũ
kinh chí cần thơ tre TP TX TT TNHH THPT UBND
`
